// The floor protocol over HTTP (enroll, device, login); inputs go over the socket.
import { store } from "./store.js";

const BASE = "/api/floor/v1";

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const device = store.device();
  if (device) headers["X-Device-Token"] = device.device_token;
  const session = store.session();
  if (session) headers["Authorization"] = `Bearer ${session.token}`;
  const response = await fetch(BASE + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { status: response.status, ok: response.ok, data };
}

export const api = {
  enroll: (code) => call("POST", "/enroll", { code }),
  device: () => call("GET", "/device"),
  badge: (badge) => call("POST", "/login/badge", { badge }),
  login: (badge, pin) => call("POST", "/sessions", { badge, pin }),
  screen: (id) => call("GET", `/sessions/${encodeURIComponent(id)}/screen`),
};
