// The floor protocol over HTTP (enroll, device, login, images); inputs go over the socket
// (over HTTP only while the socket cannot connect: link.js).
import { store } from "./store.js";

const BASE = "/api/floor/v1";

// X-Device-Token once enrolled, and the session's bearer token once logged in.
function auth() {
  const headers = {};
  const device = store.device();
  if (device) headers["X-Device-Token"] = device.device_token;
  const session = store.session();
  if (session) headers["Authorization"] = `Bearer ${session.token}`;
  return headers;
}

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json", ...auth() };
  const response = await fetch(BASE + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { status: response.status, ok: response.ok, data };
}

// An image a screen names (a label preview, "/api/floor/v1/..."), fetched with the tokens:
// a Blob, or null when refused or unreachable. Only the floor API gets the tokens.
async function image(path) {
  if (typeof path !== "string" || !path.startsWith(BASE + "/")) return null;
  try {
    const response = await fetch(path, { headers: auth(), cache: "no-store" });
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("image/")) return null;
    return await response.blob();
  } catch {
    return null;
  }
}

export const api = {
  enroll: (code) => call("POST", "/enroll", { code }),
  device: () => call("GET", "/device"),
  badge: (badge) => call("POST", "/login/badge", { badge }),
  login: (badge, pin) => call("POST", "/sessions", { badge, pin }),
  screen: (id) => call("GET", `/sessions/${encodeURIComponent(id)}/screen`),
  input: (id, body) => call("POST", `/sessions/${encodeURIComponent(id)}/inputs`, body),
  image,
};
