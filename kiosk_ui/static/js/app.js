// The kiosk: enrollment, login (badge then PIN), then server-driven screens.
import { api } from "./api.js";
import { renderBoard, setLive, setupBoard, showBoard } from "./board.js";
import { close as closeKeypad, openKeypad, setupKeypad } from "./keypad.js";
import { Link } from "./link.js";
import { render, showEnroll } from "./render.js";
import { store } from "./store.js";
import { captureWedge } from "./wedge.js";

const $ = (id) => document.getElementById(id);
let screen = null;

function newInputId() {
  return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replaceAll("-", "");
}

// The same work on screen: same step, same target, same actions (feedback aside).
function sameWork(a, b) {
  const key = (x) => JSON.stringify([x.name, x.target, x.actions]);
  return Boolean(a && b) && key(a) === key(b);
}

// /kiosk/board: a supervisor's home goes straight to the board.
function startAt(next) {
  const wanted = document.body.dataset.start === "board" ? "supervise" : null;
  if (wanted && next?.name === "home" && next.actions?.some((a) => a.id === wanted)) {
    document.body.dataset.start = "";
    link.send({ input_id: newInputId(), action: wanted });
  }
}

function show(next) {
  startAt(next);
  // A new screen (an answer, a push that changes the work) ends any value being keyed, and
  // so does feedback (an error must not hide behind the keypad); the same screen pushed
  // again without feedback (a refresh) leaves the keypad, the digits keyed and a PIN being
  // typed as they are.
  const refresh = sameWork(screen, next) && !next?.feedback;
  if (!refresh) closeKeypad();
  screen = next;
  render(next, onAction, { refresh });
  boardMode(next?.name === BOARD);
}

// The board (screen board.floor): the page shows the board model pushed over the socket
// instead of the screen, and watches it again after every reconnect.
const BOARD = "board.floor";
let watching = false;

let asking = false;  // one board.watch at a time

async function watchBoard() {
  if (asking) return;
  asking = true;
  try {
    const reply = await link.call("board.watch", {});
    if (reply?.board) renderBoard(reply.board);
    else if (reply?.error) watching = false;
  } finally {
    asking = false;
  }
}

function boardMode(on) {
  showBoard(on);
  if (on && !watching) { watching = true; watchBoard(); }
  if (!on) watching = false;
}

async function toLogin(message) {
  const r = await api.device();
  if (r.status === 401) return enrollView("This kiosk is not enrolled (or was revoked)");
  if (!r.ok) return show({ ...screen, feedback: { level: "error", message: "Server unreachable" } });
  const device = r.data;
  document.body.className = device.kind;
  $("device").textContent = `${device.device_id}${device.station ? " · " + device.station : ""}`;
  $("who").textContent = "";
  show(message ? { ...device.screen, feedback: message } : device.screen);
}

function enrollView(message) {
  closeKeypad();
  store.setDevice(null);
  store.setSession(null);
  showEnroll(message);
}

function onEnded(next) {
  store.setSession(null);
  store.setQueue([]);
  $("who").textContent = "";
  show(next);
  link.connect();
}

const link = new Link({
  onScreen: (next) => show(next),
  onEnded,
  onRevoked: () => enrollView("This kiosk was revoked"),
  onBoard: (model) => { if (watching && renderBoard(model) === false) watchBoard(); },
  onLive: (live) => {
    setLive(live);
    if (live && watching) watchBoard();  // a reconnected socket joins the board room again
  },
});

async function onScan(code) {
  if (!screen) return;
  if (screen.name === "login.badge") {
    const r = await api.badge(code.trim());
    if (r.ok) show(r.data.screen);
    return;
  }
  if (screen.name === "login.pin") return;
  link.send({ input_id: newInputId(), scan: code });
}

function onAction(action) {
  const id = action.id;
  if (screen?.name === "login.pin" && id === "cancel") return toLogin();
  if (action.input?.kind === "number") {
    return openKeypad(action.input, `${action.label} · ${screen.title}`, (value) =>
      link.send({ input_id: newInputId(), action: id, value }));
  }
  link.send({ input_id: newInputId(), action: id });
}

async function logIn(pin) {
  const badge = screen.target.badge;
  const r = await api.login(badge, pin);
  if (r.status === 201) {
    store.setSession({ session_id: r.data.session_id, token: r.data.token, badge });
    $("who").textContent = badge;
    show(r.data.screen);
    return link.connect();
  }
  const message = { level: "error", message: r.data?.detail || "Login failed" };
  if (r.status === 423) return show({ ...screen, name: "login.badge", expect: "badge", prompt: "Scan your badge", target: {}, actions: [], feedback: message });
  show({ ...screen, feedback: message });
}

// The PIN form: on login.pin it logs in; on any other screen that expects a PIN (a
// supervisor approving at a station) it is the input {action: "pin", value: "<digits>"},
// sent at once and never kept in the offline queue (localStorage).
let sendingPin = false;  // one PIN at a time: a second tap on OK sends nothing more

async function onPin(pin) {
  if (screen?.name === "login.pin") return logIn(pin);
  if (!pin || sendingPin) return;
  sendingPin = true;
  let sent = false;
  try {
    sent = await link.sendNow({ input_id: newInputId(), action: "pin", value: pin });
  } finally {
    sendingPin = false;
  }
  if (!sent) {
    const message = "The PIN was not sent (the kiosk is offline or busy): type it again";
    show({ ...screen, feedback: { level: "error", message } });
  }
}

async function start() {
  captureWedge(onScan);
  setupKeypad();
  setupBoard((body) => link.call("board.fix", body));
  document.getElementById("board-home").addEventListener("click", () => onAction({ id: "home" }));
  $("enroll-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const r = await api.enroll($("enroll-code").value);
    if (r.status !== 201) return showEnroll(r.data?.detail || "Enrollment failed");
    store.setDevice({ device_id: r.data.device_id, device_token: r.data.device_token });
    await toLogin();
    link.connect();
  });
  $("pin-form").addEventListener("submit", (event) => { event.preventDefault(); onPin($("pin").value); });
  $("manual-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("manual-code").value.trim();
    $("manual-code").value = "";
    $("manual").open = false;
    if (code) onScan(code);
  });
  if (!store.device()) return showEnroll();
  await toLogin();
  const session = store.session();
  if (session) {
    const r = await api.screen(session.session_id);
    if (r.ok) { $("who").textContent = session.badge || ""; show(r.data.screen); } else store.setSession(null);
  }
  link.connect();
}

start();
