// What the kiosk keeps in the browser: its device token, its session, its offline queue.
const KEYS = { device: "floorlink.device", session: "floorlink.session", queue: "floorlink.queue" };

function read(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
}
function write(key, value) {
  if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
}

export const store = {
  device: () => read(KEYS.device, null),            // {device_id, device_token}
  setDevice: (d) => write(KEYS.device, d),
  session: () => read(KEYS.session, null),          // {session_id, token}
  setSession: (s) => write(KEYS.session, s),
  queue: () => read(KEYS.queue, []),                // [{session_id, body}]
  setQueue: (q) => write(KEYS.queue, q),
};
