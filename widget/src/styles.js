// Styles inside the Shadow DOM. Cities theme the widget through the --bb-* custom properties (they
// inherit through the shadow boundary) or the data-*-color attributes. Defaults meet 4.5:1 contrast.

export const STYLES = `
:host {
  --bb-primary: #00528a;
  --bb-on-primary: #ffffff;
  --bb-surface: #ffffff;
  --bb-text: #1a1a1a;
  --bb-muted: #4d4d4d;
  --bb-bot-bubble: #eef1f4;
  --bb-citizen-bubble: #dcebf7;
  --bb-agent-bubble: #e8f3e8;
  --bb-border: #767676;
  --bb-error: #a4001d;
  --bb-referral: #5a2e82;
  --bb-referral-surface: #f7f3fb;
  --bb-support: #1b5e45;
  --bb-support-surface: #eef6f1;
  --bb-focus: #ffbf47;
  --bb-focus-ring: #0b0c0c;
  --bb-radius: 12px;
  --bb-font: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  --bb-z: 2147483000;
  all: initial;
  position: fixed;
  bottom: 16px;
  right: 16px;
  z-index: var(--bb-z);
  font-family: var(--bb-font);
  font-size: 16px;
  line-height: 1.45;
  color: var(--bb-text);
}
:host([data-position="left"]) { right: auto; left: 16px; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
button, input, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible, .focus-ring:focus {
  outline: 3px solid var(--bb-focus);
  outline-offset: 0;
  box-shadow: 0 0 0 6px var(--bb-focus-ring);
}
a { color: var(--bb-primary); text-decoration: underline; }
.btn {
  border: 2px solid var(--bb-primary); border-radius: 8px; padding: 8px 14px; min-height: 44px;
  background: var(--bb-surface); color: var(--bb-primary); font-weight: 600; text-align: start;
}
.btn:hover { background: var(--bb-citizen-bubble); }
.btn-primary { background: var(--bb-primary); color: var(--bb-on-primary); }
.btn-primary:hover { background: var(--bb-primary); text-decoration: underline; }
.launcher {
  display: inline-flex; align-items: center; gap: 8px; min-height: 52px; padding: 12px 20px;
  border: 2px solid var(--bb-on-primary); border-radius: 999px;
  background: var(--bb-primary); color: var(--bb-on-primary); font-weight: 700; font-size: 17px;
  box-shadow: 0 4px 14px rgba(0,0,0,.25);
}
.launcher svg { width: 22px; height: 22px; fill: currentColor; flex: none; }
.badge {
  display: inline-block; min-width: 22px; padding: 0 6px; border-radius: 11px;
  background: var(--bb-on-primary); color: var(--bb-primary); font-size: 14px; text-align: center;
}
.invite {
  position: absolute; bottom: 68px; right: 0; width: min(300px, calc(100vw - 32px));
  background: var(--bb-surface); color: var(--bb-text); border: 1px solid var(--bb-border);
  border-radius: var(--bb-radius); padding: 14px 44px 14px 14px; box-shadow: 0 4px 14px rgba(0,0,0,.2);
}
:host([data-position="left"]) .invite { right: auto; left: 0; }
.invite p { margin: 0 0 10px; }
.invite .dismiss { position: absolute; top: 4px; inset-inline-end: 4px; }
.icon-btn {
  min-width: 44px; min-height: 44px; border: 0; border-radius: 8px; background: transparent;
  color: inherit; font-size: 22px; line-height: 1; display: inline-flex; align-items: center; justify-content: center;
}
.panel {
  position: absolute; bottom: 0; right: 0; width: min(410px, calc(100vw - 32px));
  height: min(680px, calc(100vh - 32px)); max-height: calc(100vh - 32px);
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--bb-surface); color: var(--bb-text);
  border: 1px solid var(--bb-border); border-radius: var(--bb-radius);
  box-shadow: 0 8px 30px rgba(0,0,0,.3);
  animation: bb-in .18s ease-out;
}
:host([data-position="left"]) .panel { right: auto; left: 0; }
@keyframes bb-in { from { opacity: 0; transform: translateY(12px); } to { opacity: 1; transform: none; } }
header.bar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding-block: 8px; padding-inline: 14px 8px;
  background: var(--bb-primary); color: var(--bb-on-primary);
}
header.bar img { height: 28px; width: auto; }
header.bar h2 { flex: 1 1 9em; min-width: 0; margin: 0; font-size: 18px; line-height: 1.25; overflow-wrap: anywhere; }
header.bar .sub { display: block; font-size: 14px; font-weight: 400; }
.lang-btn { border: 1px solid var(--bb-on-primary); border-radius: 8px; background: transparent; color: var(--bb-on-primary); padding: 6px 10px; min-height: 44px; }
.lang-select { border: 1px solid var(--bb-on-primary); border-radius: 8px; background: var(--bb-surface); color: var(--bb-primary); padding: 6px 4px; min-height: 44px; max-width: 9.5em; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; padding: 8px 12px; border-bottom: 1px solid var(--bb-border); }
.toolbar .btn { padding: 4px 10px; font-size: 14px; min-height: 36px; }
.status { padding: 0 12px; font-size: 15px; }
.status p { margin: 8px 0; padding: 8px 10px; border-radius: 8px; background: var(--bb-bot-bubble); }
.status .offline { background: #fff4e5; border-inline-start: 4px solid #8a4b00; color: #1a1a1a; }
.body { flex: 1; overflow-y: auto; padding: 12px; overscroll-behavior: contain; }
.privacy h3 { margin: 0 0 8px; font-size: 17px; }
.privacy p { margin: 0 0 12px; }
.log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 10px; }
.msg { max-width: 88%; padding: 8px 12px; border-radius: 12px; background: var(--bb-bot-bubble); overflow-wrap: anywhere; }
.msg .who { display: block; font-size: 13px; font-weight: 700; color: var(--bb-muted); margin-bottom: 2px; }
.msg p { margin: 0 0 6px; }
.msg p:last-child { margin-bottom: 0; }
.msg ul, .msg ol { margin: 4px 0 6px; padding-inline-start: 22px; }
.msg ul { list-style: disc; }
.msg ul ul, .msg ol ul { list-style: circle; }
.msg.citizen { align-self: flex-end; background: var(--bb-citizen-bubble); }
.msg.agent { background: var(--bb-agent-bubble); }
.msg.system { align-self: center; max-width: 100%; background: transparent; border: 1px dashed var(--bb-border); text-align: center; font-size: 15px; }
.msg.system.with-form { align-self: stretch; text-align: start; }
.msg .meta { display: block; font-size: 13px; color: var(--bb-muted); margin-top: 2px; }
.msg.pending { opacity: 1; border: 1px dashed var(--bb-border); }
.msg .md-label { margin-bottom: 2px; }
.msg .md-heading { margin: 8px 0 2px; }
.msg li > ul, .msg li > ol { margin: 2px 0; }
.more-wrap { margin-top: 6px; }
.btn.more-toggle { padding: 4px 12px; min-height: 36px; font-size: 14px; }
.more { margin-top: 4px; }
.more h4 { margin: 10px 0 2px; font-size: 15px; }
.card { margin-top: 8px; padding: 10px; border: 1px solid var(--bb-border); border-radius: 8px; background: var(--bb-surface); font-size: 15px; }
.card h3 { margin: 0 0 2px; font-size: 16px; }
.card h4 { margin: 0 0 2px; font-size: 15px; }
.card p { margin: 0 0 4px; }
.card .stand { margin: 0 0 6px; color: var(--bb-muted); font-size: 14px; }
.card .office-name { margin: 4px 0 2px; font-weight: 700; }
.card dl { margin: 4px 0 6px; }
.card dl.contact { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; }
.card dl.contact dt { grid-column: 1; font-weight: 600; }
.card dl.contact dd { grid-column: 2; margin: 0; }
.card dl.contact .wide { grid-column: 1 / -1; }
.card ul { margin: 0; padding-inline-start: 18px; }
.card .links { display: flex; flex-wrap: wrap; gap: 6px 14px; margin-top: 6px; }
/* A body outside the city: its own colour and a label, so it is not mistaken for a city office. */
.card.referral { border: 2px solid var(--bb-referral); border-inline-start-width: 6px; background: var(--bb-referral-surface); }
.card .kicker { margin: 0 0 2px; color: var(--bb-referral); font-size: 13px; font-weight: 700; letter-spacing: .03em; text-transform: uppercase; }
.card .not-city { margin: 2px 0 6px; }
/* Help in distress: easy to find and to call, calm colours (no alarm red). */
.card.support { border: 2px solid var(--bb-support); border-inline-start-width: 6px; background: var(--bb-support-surface); }
.card.support h3 { color: var(--bb-support); font-size: 17px; }
.card .helplines { list-style: none; margin: 6px 0 0; padding: 0; display: grid; gap: 10px; }
.helplines li { display: flex; flex-direction: column; }
.helpline-name { font-weight: 700; }
.helpline-phone a { font-size: 19px; font-weight: 700; }
.helpline-note { font-size: 14px; color: var(--bb-muted); }
.card .compact { margin-top: 10px; padding-top: 8px; border-top: 1px solid var(--bb-border); }
.form-step { margin-top: 6px; font-size: 14px; color: var(--bb-muted); font-weight: 600; }
.form-error, .field-error { color: var(--bb-error); font-weight: 600; }
.form-error { margin-top: 6px; padding: 6px 8px; border-inline-start: 4px solid var(--bb-error); background: #fdf0f2; }
.reference { margin-top: 6px; font-weight: 700; }
.quick { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 0; padding: 0; border: 0; }
.quick legend { padding: 0; margin-bottom: 4px; font-size: 14px; color: var(--bb-muted); }
.step-actions { display: flex; flex-direction: column; gap: 8px; margin-top: 6px; }
.step-tool { display: flex; flex-direction: column; gap: 6px; align-items: flex-start; }
.step-tool .hint, .step-tool .tool-status { margin: 0; font-size: 14px; }
.step-tool .tool-status:empty { display: none; }
.step-tool .tool-label { font-weight: 600; }
.step-tool .tool-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.step-tool input[type="file"] { max-width: 100%; font-size: 14px; min-height: 36px; }
.step-tool progress { width: 100%; height: 10px; }
.step-tool img.thumb { max-width: 180px; max-height: 140px; border-radius: 6px; border: 1px solid var(--bb-border); }
.typing { font-size: 15px; color: var(--bb-muted); padding: 4px 12px; min-height: 0; }
.typing .dots span { display: inline-block; width: 6px; height: 6px; margin: 0 1px; border-radius: 50%; background: currentColor; animation: bb-blink 1.2s infinite both; }
.typing .dots span:nth-child(2) { animation-delay: .2s; }
.typing .dots span:nth-child(3) { animation-delay: .4s; }
@keyframes bb-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
.panel-form { margin-top: 4px; padding: 12px; border: 1px solid var(--bb-border); border-radius: 8px; }
.panel-form h3 { margin: 0 0 6px; font-size: 17px; }
.panel-form p { margin: 0 0 8px; }
.field { margin-bottom: 10px; }
.field label { display: block; font-weight: 600; margin-bottom: 2px; }
.field input[type=text], .field textarea {
  width: 100%; padding: 8px; border: 2px solid var(--bb-border); border-radius: 6px; background: var(--bb-surface);
}
.field [aria-invalid=true] { border-color: var(--bb-error); }
.check { display: flex; gap: 8px; align-items: flex-start; }
.check input { width: 22px; height: 22px; margin: 2px 0 0; flex: none; }
fieldset.rating { border: 0; padding: 0; margin: 0 0 10px; }
fieldset.rating legend { font-weight: 600; margin-bottom: 4px; padding: 0; }
.rating-options { display: flex; flex-direction: column; gap: 4px; }
.rating-options label { display: flex; gap: 8px; align-items: center; min-height: 32px; }
.rating-options input { width: 22px; height: 22px; margin: 0; }
.confirm { padding: 10px 12px; border-top: 1px solid var(--bb-border); }
.confirm p { margin: 0 0 8px; font-weight: 600; }
.confirm div { display: flex; gap: 8px; flex-wrap: wrap; }
form.composer { display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px; border-top: 1px solid var(--bb-border); }
form.composer textarea {
  flex: 1; min-height: 44px; max-height: 140px; resize: none; padding: 10px; border: 2px solid var(--bb-border);
  border-radius: 8px; background: var(--bb-surface);
}
form.composer textarea.secret { -webkit-text-security: disc; }
.footer-note { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 0 12px 4px; font-size: 14px; color: var(--bb-muted); }
.link-btn { border: 0; background: transparent; color: var(--bb-primary); text-decoration: underline; font-size: 14px; min-height: 32px; padding: 4px 2px; }
@media (max-width: 480px), (max-height: 520px) {
  :host { bottom: 8px; right: 8px; }
  :host([data-position="left"]) { left: 8px; }
  :host([data-open]) { inset: 0; }
  :host([data-open]) .panel { position: fixed; inset: 0; width: 100%; height: 100%; max-height: none; border-radius: 0; border: 0; }
  .launcher { padding: 10px 16px; }
}
@media (prefers-reduced-motion: reduce) {
  .panel { animation: none; }
  .typing .dots span { animation: none; opacity: .7; }
}
@media (forced-colors: active) {
  .msg, .card, .btn, .launcher { border: 1px solid CanvasText; }
  .card.referral, .card.support { border-width: 2px 2px 2px 6px; }
}
`;
