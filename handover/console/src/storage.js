// Console settings (language, sound) in localStorage; in private mode they are simply not remembered.
export const storage = {
  get(key, fallback) {
    try {
      const value = window.localStorage.getItem(key);
      return value === null ? fallback : value;
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // private mode: settings are simply not remembered
    }
  },
};
