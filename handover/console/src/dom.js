// Element building for the whole console. Text always goes in as text nodes or attribute values, never as HTML:
// everything the server sends (citizen, bot, agents, articles) may contain markup that must stay inert.

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link only for http(s) URLs; anything else (javascript:, data:) stays plain text. */
export function safeLink(url, label) {
  let parsed = null;
  try {
    parsed = new URL(String(url), window.location.href);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return el('span', { text: label || String(url) });
  }
  return el('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer', text: label || parsed.href });
}

/** A server id made safe for use inside an element id. */
export function idPart(value) {
  return String(value).replace(/[^a-zA-Z0-9_-]/g, '');
}
