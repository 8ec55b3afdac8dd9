// Reads the embedding <script> tag's data attributes into one configuration object.

const COLOUR_ATTRIBUTES = {
  primaryColor: '--bb-primary',
  primaryTextColor: '--bb-on-primary',
  backgroundColor: '--bb-surface',
  textColor: '--bb-text',
};

function serverBase(script, explicit) {
  if (explicit) return explicit.replace(/\/+$/, '');
  // data-server="" (or missing): the server is wherever widget.js itself came from.
  try {
    return new URL(script?.src || window.location.href).origin;
  } catch {
    return window.location.origin;
  }
}

function seconds(value, fallback) {
  const number = Number.parseFloat(value);
  return Number.isFinite(number) && number >= 0 ? number : fallback;
}

/** @param {HTMLScriptElement|null} script */
export function readConfig(script) {
  const data = script?.dataset || {};
  const server = serverBase(script, data.server);
  const colours = {};
  for (const [attribute, property] of Object.entries(COLOUR_ATTRIBUTES)) {
    if (data[attribute]) colours[property] = data[attribute];
  }
  return {
    server,
    socketUrl: `${server.replace(/^http/, 'ws')}/ws/citizen`,
    language: data.language || '',
    position: data.position === 'left' ? 'left' : 'right',
    title: data.title || '',
    logo: data.logo || '',
    privacyUrl: data.privacyUrl || '',
    retentionDays: Math.round(seconds(data.retentionDays, 180)),
    colours,
    inviteDelaySeconds: data.inviteDelay === undefined ? null : seconds(data.inviteDelay, null),
    invitePages: (data.invitePages || '*')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  };
}

/** Whether the invitation applies to `path`: "*" everywhere, "/x/*" a prefix, otherwise an exact path. */
export function pageMatches(patterns, path) {
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
    return path === pattern || path === `${pattern}/`;
  });
}
