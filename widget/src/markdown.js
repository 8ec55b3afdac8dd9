// A deliberately small, safe Markdown subset for bot and agent messages: paragraphs, line breaks, headings
// (shown as bold lines), bullet and numbered lists (also right after a label line, without a blank line, with
// indented continuation lines and one level of nesting), **bold** and [links](https://…). Everything else
// stays literal text. Only DOM nodes with textContent are built, so message text can never become markup.

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

const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*•]\s+(.*)$/;
const NUMBERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
// "Kosten: - 37,00 € - 22,80 €" (a label with its list on one line, as older bots wrote it): label and first item.
const LABEL_LIST = /^\s*([^\n:]{1,80}?):\s+[-•*]\s+(.*)$/;
const INLINE_SEPARATOR = /\s+[-•]\s+/g;
// "**Kosten**" alone on a line: the label of what follows, a paragraph of its own.
const BOLD_LINE = /^\s*\*\*[^*\n]+\*\*:?\s*$/;

/** Splits a one-line list at " - ", but not inside number or time ranges ("8:00 - 12:00", "1 - 2 Wochen"). */
function splitInlineItems(text) {
  const items = [];
  let start = 0;
  for (const match of text.matchAll(INLINE_SEPARATOR)) {
    const before = text[match.index - 1] || '';
    const after = text[match.index + match[0].length] || '';
    if (/\d/.test(before) && /\d/.test(after)) continue;
    items.push(text.slice(start, match.index));
    start = match.index + match[0].length;
  }
  items.push(text.slice(start));
  return items.map((item) => item.trim()).filter(Boolean);
}

function indentOf(spaces) {
  return spaces.replace(/\t/g, '    ').length;
}

/**
 * Renders `text` into a DocumentFragment of <p>, <ul>, <ol>, <strong>, <a>, <br> and text nodes.
 * A chat message's single newline is a line break; in an article's Markdown (`softBreaks`) it only wraps the
 * source, so the lines of a paragraph are joined as in any Markdown renderer.
 */
export function renderMarkdown(text, newTabHint = '', { softBreaks = false } = {}) {
  const fragment = document.createDocumentFragment();
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  let paragraph = null; // the open <p>, lines joined by <br>
  let list = null; // {element, kind, indent, item, nested}
  const closeAll = () => {
    paragraph = null;
    list = null;
  };
  const addParagraphLine = (content, className) => {
    list = null;
    if (!paragraph || className) {
      paragraph = document.createElement('p');
      if (className) paragraph.className = className;
      fragment.append(paragraph);
    } else {
      paragraph.append(softBreaks ? ' ' : document.createElement('br'));
    }
    appendInline(paragraph, content, newTabHint);
    if (className) paragraph = null;
  };
  const addItem = (kind, indent, content, number) => {
    paragraph = null;
    // Indented under an item of the open list: a nested list inside that item (one level).
    if (list && indent >= list.indent + 2 && list.item) {
      if (!list.nested || list.nested.kind !== kind) {
        const element = document.createElement(kind);
        list.item.append(element);
        list.nested = { element, kind, item: null };
      }
      const li = document.createElement('li');
      appendInline(li, content, newTabHint);
      list.nested.element.append(li);
      list.nested.item = li;
      return;
    }
    if (!list || list.kind !== kind) {
      const element = document.createElement(kind);
      if (kind === 'ol' && number && number !== 1) element.start = number;
      fragment.append(element);
      list = { element, kind, indent, item: null, nested: null };
    }
    const li = document.createElement('li');
    appendInline(li, content, newTabHint);
    list.element.append(li);
    list.item = li;
    list.nested = null;
  };

  for (const line of lines) {
    if (line.trim() === '') {
      closeAll();
      continue;
    }
    const heading = line.match(HEADING);
    if (heading) {
      // A heading inside a chat bubble is a bold line; the bubble's own structure has the real headings.
      const p = document.createElement('p');
      p.className = 'md-heading';
      const strong = document.createElement('strong');
      appendInline(strong, heading[1], newTabHint);
      p.append(strong);
      fragment.append(p);
      closeAll();
      continue;
    }
    const bullet = line.match(BULLET);
    if (bullet) {
      addItem('ul', indentOf(bullet[1]), bullet[2]);
      continue;
    }
    const numbered = line.match(NUMBERED);
    if (numbered) {
      addItem('ol', indentOf(numbered[1]), numbered[3], Number(numbered[2]));
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      // An indented line under a list item continues that item (a long item wrapped in the source).
      const target = (list.nested && list.nested.item) || list.item;
      target.append(' ');
      appendInline(target, line.trim(), newTabHint);
      continue;
    }
    if (BOLD_LINE.test(line)) {
      addParagraphLine(line.trim(), 'md-label');
      continue;
    }
    const labelled = line.match(LABEL_LIST);
    if (labelled) {
      addParagraphLine(`${labelled[1]}:`, 'md-label');
      for (const item of splitInlineItems(labelled[2])) addItem('ul', 0, item);
      continue;
    }
    addParagraphLine(line.trim());
  }
  return fragment;
}
