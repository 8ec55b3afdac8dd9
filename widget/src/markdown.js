// A deliberately small, safe Markdown subset for bot and agent messages: paragraphs, line breaks,
// bullet and numbered lists, **bold** and [links](https://…). Everything else stays literal text.
// Only DOM nodes with textContent are built, so message text can never become markup.

const SAFE_PROTOCOLS = new Set(['https:', 'http:', 'mailto:', 'tel:']);

/** The URL as a string if it is absolute and uses an allowed protocol, otherwise null. */
export function safeHref(raw) {
  try {
    const url = new URL(raw);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** An external link that opens in a new tab without giving that tab access to this page. */
export function externalLink(href, text, newTabHint) {
  const a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = text;
  if (newTabHint) {
    const hint = document.createElement('span');
    hint.className = 'sr-only';
    hint.textContent = ` ${newTabHint}`;
    a.append(hint);
  }
  return a;
}

// **bold**, [text](url) and bare https:// URLs, in one scan so their order is kept.
const INLINE = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?])/g;

function appendInline(parent, text, newTabHint) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(text.slice(last, match.index));
    const [whole, bold, linkText, linkUrl, bareUrl] = match;
    if (bold !== undefined) {
      const strong = document.createElement('strong');
      strong.textContent = bold;
      parent.append(strong);
    } else {
      const href = safeHref(linkUrl ?? bareUrl);
      parent.append(href ? externalLink(href, linkText ?? bareUrl, newTabHint) : whole);
    }
    last = match.index + whole.length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

function appendLines(parent, lines, newTabHint) {
  lines.forEach((line, i) => {
    if (i > 0) parent.append(document.createElement('br'));
    appendInline(parent, line, newTabHint);
  });
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** Renders `text` into a DocumentFragment of <p>, <ul>, <ol>, <strong>, <a>, <br> and text nodes. */
export function renderMarkdown(text, newTabHint = '') {
  const fragment = document.createDocumentFragment();
  const blocks = String(text ?? '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    if (!lines.length) continue;
    let paragraph = [];
    let list = null;
    let listKind = null;
    const flushParagraph = () => {
      if (!paragraph.length) return;
      const p = document.createElement('p');
      appendLines(p, paragraph, newTabHint);
      fragment.append(p);
      paragraph = [];
    };
    for (const line of lines) {
      const bullet = line.match(BULLET);
      const numbered = bullet ? null : line.match(NUMBERED);
      const kind = bullet ? 'ul' : numbered ? 'ol' : null;
      if (kind) {
        flushParagraph();
        if (!list || listKind !== kind) {
          list = document.createElement(kind);
          listKind = kind;
          fragment.append(list);
        }
        const li = document.createElement('li');
        appendInline(li, (bullet || numbered)[1], newTabHint);
        list.append(li);
      } else {
        list = null;
        listKind = null;
        paragraph.push(line);
      }
    }
    flushParagraph();
  }
  return fragment;
}
