// A tiny element builder: attributes and children, text always as text nodes (never parsed as HTML).

/**
 * @param {string} tag
 * @param {Record<string, any>} [attributes]  `class`, `on<Event>` handlers, booleans, everything else as attribute
 * @param {...(Node|string|null|undefined|false)} children
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

let counter = 0;
/** A unique id inside the shadow root, for label/aria relations. */
export function uid(prefix) {
  counter += 1;
  return `bb-${prefix}-${counter}`;
}
