// The widget's styles inside its Shadow DOM. A constructed stylesheet (adoptedStyleSheets) is not inline style
// for a Content-Security-Policy, so the widget keeps its look on city pages whose policy allows styles only from
// their own origin (no 'unsafe-inline'; docs/security.md); such a policy would block a <style> element, which is
// used only by browsers without constructed stylesheets.

let shared = null;

/** Applies `css` to `root`; returns the nodes to put into the root (none, or the fallback <style>). */
export function adoptStyles(root, css) {
  if ('adoptedStyleSheets' in ShadowRoot.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!shared) {
      shared = new CSSStyleSheet();
      shared.replaceSync(css);
    }
    root.adoptedStyleSheets = [shared];
    return [];
  }
  const style = document.createElement('style');
  style.textContent = css;
  return [style];
}
