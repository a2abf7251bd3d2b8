// The socket to /kiosk and the offline queue: every session input is queued first (with its
// input_id, in localStorage) and sent in order while connected; the server's de-duplication
// on input_id makes a resend after a lost ack harmless. Inputs go over the socket (the
// cheaper transport: docs/performance.md, "Floor inputs"); while the socket cannot connect
// (a proxy that lets no Socket.IO through) the queue is sent over HTTP instead, POST
// .../inputs, with the same input_ids: each input still has one effect.
import { api } from "./api.js";
import { store } from "./store.js";
import { banner } from "./render.js";

const ACK_TIMEOUT_MS = 5000;
const RETRY_MS = 1000;  // a server that could not take an input (503): the queue again after

// The server answered but took nothing (its database busy or unreachable: 5xx, no screen):
// the input stays queued and goes again, as one the server never saw would.
const notTaken = (reply) => !reply.screen && reply.error?.status >= 500;

export class Link {
  constructor({ onScreen, onEnded, onRevoked, onBoard, onLive }) {
    this.handlers = { onScreen, onEnded, onRevoked, onBoard, onLive };
    this.socket = null;
    this.flushing = false;
    this.socketDown = false;  // the socket failed to connect: send the queue over HTTP
    this.httpUp = false;      // the last input sent over HTTP was answered
    this.retry = null;        // the timer that sends the queue again after a 503
    // Show the banner at once: a socket still connecting emits no "disconnect" when closed.
    window.addEventListener("offline", () => { this.socket?.disconnect(); this.update(); });
    window.addEventListener("online", () => this.connect());
  }

  connect() {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    const device = store.device();
    if (!device || !navigator.onLine) return this.update();
    const session = store.session();
    const auth = { device_token: device.device_token, session_token: session?.token };
    const socket = window.io("/kiosk", { auth, reconnectionDelayMax: 3000 });
    this.socket = socket;
    socket.on("connect", () => {
      this.socketDown = false;
      this.update(); this.flush(); this.handlers.onLive?.(true);
    });
    socket.on("connect_error", () => { this.socketDown = true; this.flush(); });
    socket.on("disconnect", () => { this.update(); this.handlers.onLive?.(false); });
    // the board model comes as JSON text (encoded once on the server for every board)
    socket.on("board", (text) => this.handlers.onBoard?.(typeof text === "string" ? JSON.parse(text) : text));
    socket.on("screen", (payload) => {
      if (payload.session_ended) return this.handlers.onEnded(payload.screen);
      this.handlers.onScreen(payload.screen);
    });
    socket.on("revoked", () => this.handlers.onRevoked());
  }

  get connected() { return Boolean(this.socket?.connected) && navigator.onLine; }

  send(body) {
    const session = store.session();
    if (!session) return;
    store.setQueue([...store.queue(), { session_id: session.session_id, body }]);
    this.update();
    this.flush();
  }

  // An input that must not be stored (a supervisor's PIN): sent now over the socket, and only
  // while nothing is queued (queued inputs go first); false when not sent or not acked.
  async sendNow(body) {
    if (!store.session() || !this.connected || this.flushing || store.queue().length) return false;
    let reply;
    try {
      reply = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("input", body);
    } catch { return false; }
    if (reply.screen && reply.error?.status === 401) this.ended(reply.screen);
    else if (reply.screen) this.handlers.onScreen(reply.screen);
    return Boolean(reply.screen);
  }

  // A call that must not be queued (a board fix, watching the board): sent now over the
  // socket; null when offline or not acked in time.
  async call(event, body) {
    if (!this.connected) return null;
    try {
      return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, body);
    } catch { return null; }
  }

  async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (navigator.onLine && store.queue().length && (this.connected || this.socketDown)) {
        const [head] = store.queue();
        const reply = this.connected ? await this.overSocket(head.body) : await this.overHttp(head);
        if (reply === null) break;  // not answered: keep it queued, try again on reconnect
        if (notTaken(reply)) { this.retryLater(reply.error.retry_after_s); break; }
        store.setQueue(store.queue().slice(1));
        this.update();
        if (reply.screen && reply.error?.status === 401) return this.ended(reply.screen);
        if (reply.screen) this.handlers.onScreen(reply.screen);
      }
    } finally {
      this.flushing = false;
      this.update();
    }
  }

  retryLater(seconds) {
    if (this.retry) return;
    const wait = Math.max(RETRY_MS, (Number(seconds) || 0) * 1000);
    this.retry = setTimeout(() => { this.retry = null; this.flush(); }, wait);
  }

  async overSocket(body) {
    try {
      return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("input", body);
    } catch { return null; }
  }

  // The fallback: the same input over HTTP; the reply shaped as the socket's ack.
  async overHttp(head) {
    let r;
    try {
      r = await api.input(head.session_id, head.body);
    } catch { r = null; }
    this.httpUp = Boolean(r) && r.status < 500;
    if (!this.httpUp) return null;
    if (r.ok) return r.data;
    const detail = r.data?.detail || "Your session ended";
    if (r.status !== 401) return { error: { status: r.status, detail }, screen: null };
    const device = await api.device().catch(() => null);
    const login = device?.data?.screen;
    if (!login) return null;
    return { error: { status: 401, detail }, screen: { ...login, feedback: { level: "warn", message: detail } } };
  }

  ended(screen) {
    store.setQueue([]);
    this.handlers.onEnded(screen);
  }

  update() {
    if (!this.connected) this.handlers.onLive?.(false);
    const queued = store.queue().length;
    const reachable = this.connected || (this.socketDown && this.httpUp && navigator.onLine);
    if (!reachable) banner(`Offline, ${queued} queued`);
    else banner(queued ? `Sending, ${queued} queued` : "");
  }
}
