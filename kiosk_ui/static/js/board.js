// The supervisors' board: renders the board model the server pushes (`board` on the /kiosk
// socket, after every committed change) and sends the fixes tapped (`board.fix`). Holds no
// rules: what is late, what is urgent and which fixes an item offers all come from the
// server (docs/supervision.md). Fixes are never queued offline: a decision taken on a stale
// board is refused on the page, not sent later.
import { openKeypad } from "./keypad.js";
import { signal } from "./feedback.js";
import { ago, chart, devices, el, probes, sync, tile, time } from "./board_tiles.js";

const $ = (id) => document.getElementById(id);
const STATUS_LABELS = {
  accepted: "Accepted", backordered: "Backordered", picking: "Picking", picked: "Picked",
  short_picked: "Short picked", packing: "Packing", packed: "Packed",
};
let model = null;
let sendFix = null;       // (body) => Promise<reply>, set by open()
let chooser = null;       // {item, fix} while a choice is open
let lastUpdate = null;    // when the last model arrived (the page's clock)

function orders(o) {
  const t = tile("orders", "Open orders", o.open);
  const bars = el("ul", "bars");
  const max = Math.max(1, ...Object.values(o.by_status));
  for (const [status, n] of Object.entries(o.by_status)) {
    const li = el("li");
    li.dataset.status = status;
    const bar = el("span", "bar");
    bar.style.width = `${(100 * n) / max}%`;
    li.append(el("span", "bar-label", STATUS_LABELS[status] || status), bar, el("span", "bar-n", String(n)));
    bars.append(li);
  }
  t.append(bars);
  const channels = el("p", "muted", Object.entries(o.by_channel)
    .map(([c, counts]) => `${c} ${Object.values(counts).reduce((a, b) => a + b, 0)}`).join(" · ") || "none");
  t.append(channels);
  if (o.held) t.append(el("p", "muted", `${o.held} held`));
  return t;
}

function timingList(id, title, part, level) {
  const t = tile(id, title, part.count);
  t.dataset.level = part.count ? level : "ok";
  const list = el("ul", "rows");
  for (const o of part.orders) {
    const li = el("li");
    li.append(el("strong", null, o.order), ` ${STATUS_LABELS[o.status] || o.status}`,
      el("span", "muted", ` ship by ${time(o.ship_by)}${o.carrier ? " · " + o.carrier : ""}${o.held ? " · held" : ""}`));
    list.append(li);
  }
  if (!part.orders.length) list.append(el("li", "muted", "none"));
  t.append(list);
  return t;
}

function progressBar(done, total) {
  const bar = el("span", "progress-bar");
  const fill = el("span", "fill");
  fill.style.width = `${total ? Math.round((100 * done) / total) : 0}%`;
  bar.append(fill);
  return bar;
}

// Waves (manual release) above the batches: how far each is, held or not, and its fixes
// (hold it, release it again), sent as any other fix of the board.
function batches(list, waves) {
  const t = tile("batches", waves.length ? "Waves and batches" : "Batches in progress", list.length);
  const rows = el("ul", "rows");
  for (const w of waves) {
    const li = el("li", "wave");
    li.dataset.wave = w.wave;
    li.dataset.status = w.status;
    const where = [`${w.waiting} waiting`, `${w.picking} picking`];
    li.append(el("strong", null, w.status === "held" ? "Wave held" : "Wave"), ` ${w.picked}/${w.orders}`,
      progressBar(w.picked, w.orders), el("span", "muted", `${w.wave} · ${where.join(" · ")}`));
    const item = { id: w.item, label: "Wave", message: `wave ${w.wave}: ${w.orders} orders` };
    const fixes = el("div", "fixes");
    for (const fix of w.fixes) {
      const b = el("button", "action fix", fix.label);
      b.type = "button";
      b.dataset.fix = fix.id;
      b.addEventListener("click", () => tapFix(item, fix));
      fixes.append(b);
    }
    li.append(fixes);
    rows.append(li);
  }
  for (const b of list) {
    const li = el("li");
    li.dataset.batch = b.batch;
    if (b.held) li.dataset.held = "1";
    li.append(el("strong", null, b.picker || "waiting"), ` ${b.done}/${b.total}`, progressBar(b.done, b.total),
      el("span", "muted", `${b.batch}${b.short ? ` · ${b.short} short` : ""}${b.held ? " · wave held" : ""}`));
    rows.append(li);
  }
  if (!list.length && !waves.length) rows.append(el("li", "muted", "none"));
  t.append(rows);
  return t;
}

function stations(list) {
  const t = tile("stations", "Pack stations", list.length);
  const rows = el("ul", "rows");
  for (const s of list) {
    rows.append(el("li", null, `${s.station}: ${s.order} · ${s.packer} since ${time(s.since)}`));
  }
  if (!list.length) rows.append(el("li", "muted", "no pack in progress"));
  t.append(rows);
  return t;
}

const DOOR_LABELS = { open: "door open", closed: "door closed", offline: "door offline", none: "no door sensor" };

// Each dock: its door, the carriers' manifests open there (loaded, still waiting for that
// carrier), who dispatches there.
function docks(list) {
  const t = tile("docks", "Docks", list.length);
  t.dataset.level = list.some((d) => d.door.status === "offline") ? "warn" : "ok";
  const rows = el("ul", "rows");
  for (const d of list) {
    const li = el("li", "dock");
    li.dataset.dock = d.dock;
    li.dataset.door = d.door.status;
    const head = el("div");
    head.append(el("strong", null, d.dock), " ", el("span", "door", DOOR_LABELS[d.door.status] || d.door.status));
    if (d.dispatchers.length) head.append(el("span", "muted", ` · ${d.dispatchers.join(", ")}`));
    li.append(head);
    for (const m of d.manifests) {
      const line = el("div", "manifest");
      line.dataset.manifest = m.id;
      const who = `${m.carrier}${m.service !== "any" ? " " + m.service : ""}${m.trailer ? " · " + m.trailer : ""}`;
      line.append(`${who}: `, el("strong", null, `${m.loaded} loaded`),
        el("span", "muted", ` (${m.orders} orders) · ${m.waiting} waiting${m.planned_pickup_at ? " · pickup " + time(m.planned_pickup_at) : ""}`));
      li.append(line);
    }
    if (!d.manifests.length) li.append(el("div", "muted", "no manifest open"));
    rows.append(li);
  }
  if (!list.length) rows.append(el("li", "muted", "no docks"));
  t.append(rows);
  return t;
}

function operators(list) {
  const t = tile("operators", "On the floor", list.length);
  const rows = el("ul", "rows");
  for (const o of list) {
    const li = el("li");
    li.dataset.badge = o.badge;
    li.append(el("strong", null, o.name), ` ${o.badge}`, el("span", "muted", ` ${o.doing || "home"}`));
    rows.append(li);
  }
  if (!list.length) rows.append(el("li", "muted", "nobody logged in"));
  t.append(rows);
  return t;
}

function queue(q) {
  const t = tile("queue", "Exceptions", q.count);
  t.dataset.level = q.count ? "error" : "ok";
  const list = el("ol", "queue");
  for (const item of q.items) {
    const li = el("li", "item");
    li.dataset.item = item.id;
    li.dataset.kind = item.kind;
    if (item.acknowledged) li.dataset.acknowledged = "1";
    const head = el("div", "item-head");
    head.append(el("span", "kind", item.label), el("span", "muted", ` ${ago(item.raised_at)}`));
    if (item.acknowledged) head.append(el("span", "ack", ` seen by ${item.acknowledged.by.replace("operator:", "")}`));
    li.append(head, el("p", "message", item.message));
    const fixes = el("div", "fixes");
    for (const fix of item.fixes) {
      const b = el("button", "action fix" + (fix.id === "acknowledge" || fix.id === "resolve" ? " quiet" : ""), fix.label);
      b.type = "button";
      b.dataset.fix = fix.id;
      b.addEventListener("click", () => tapFix(item, fix));
      fixes.append(b);
    }
    li.append(fixes);
    list.append(li);
  }
  if (!q.items.length) list.append(el("li", "muted", "Nothing waits for a supervisor"));
  t.append(list);
  return t;
}

// A push carries only the parts whose content changed, over the version `base`: applied
// over the model held, or refused (false: ask for the whole model) when the page holds
// another.
export function renderBoard(next) {
  if (next?.partial) {
    if (!model) return true;  // the whole model is on its way (board.watch)
    if (model.version !== next.base) return false;
    const { parts, partial, base, ...meta } = next;
    model = { ...model, ...parts, ...meta };
    lastUpdate = Date.now();
  } else if (next) { model = next; lastUpdate = Date.now(); }
  if (!model) return true;
  const root = $("board-tiles");
  document.body.dataset.boardVersion = String(model.version);
  const tiles = [
    queue(model.queue),
    timingList("late", "Late", model.orders.late, "error"),
    timingList("at-risk", "At risk", model.orders.at_risk, "warn"),
    orders(model.orders),
    batches(model.batches, model.waves || []),
    operators(model.operators),
    stations(model.stations),
    docks(model.docks || []),
    chart(model.throughput),
    devices(model.devices),
    ...(model.probes?.length ? [probes(model.probes)] : []),
    sync(model.sync),
  ];
  root.replaceChildren(...tiles);
  $("board-asof").textContent = `as of ${new Date(model.as_of).toLocaleTimeString()}`;
  if (chooser) openChooser(chooser.item, chooser.fix);  // keep a choice open across pushes
  return true;
}

export function setLive(live) {
  const board = $("board");
  board.dataset.live = live ? "1" : "0";
  const since = lastUpdate ? new Date(lastUpdate).toLocaleTimeString() : "never";
  $("board-status").textContent = live ? "Live" : `Stale: offline since ${since}`;
}

function notice(level, message) {
  const n = $("board-notice");
  n.hidden = !message;
  n.className = `feedback ${level}`;
  n.textContent = message || "";
  if (message) signal(level);
}

async function send(item, fix, value) {
  chooser = null;
  $("board-chooser").hidden = true;
  const body = { input_id: crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "") : `${Date.now()}${Math.random()}`.replace(".", ""), item: item.id, fix: fix.id };
  if (value !== undefined && value !== null) body.value = String(value);
  const reply = sendFix ? await sendFix(body) : null;
  if (!reply) return notice("error", "Offline: the fix was not sent. Try again when the board is live.");
  if (reply.error) return notice("error", reply.error.detail);
  notice("ok", `${fix.label.replace("…", "")}: ${reply.result.done}`);
}

function tapFix(item, fix) {
  if (!fix.choose) return send(item, fix);
  if (fix.choose === "number") {
    return openKeypad({ kind: "number", label: fix.label, min: 0 }, `${fix.label} · ${item.label}`,
      (value) => send(item, fix, value));
  }
  chooser = { item, fix };
  openChooser(item, fix);
}

function openChooser(item, fix) {
  const box = $("board-chooser");
  const options = $("board-options");
  $("board-chooser-title").textContent = `${fix.label.replace("…", "")}: ${item.message}`;
  options.replaceChildren();
  const choices = fix.options?.length ? fix.options : (model.choices || {})[fix.choose];
  if (Array.isArray(choices)) {
    for (const c of choices) {
      const value = typeof c === "string" ? c : c.badge;
      const b = el("button", "action option", typeof c === "string" ? c : `${c.name} (${c.badge})`);
      b.type = "button";
      b.dataset.value = value;
      const doing = typeof c === "string" ? "" : (model.operators || []).find((o) => o.badge === c.badge)?.doing;
      if (doing) b.append(el("small", "muted", doing));
      b.addEventListener("click", () => send(item, fix, value));
      options.append(b);
    }
    if (!choices.length) options.append(el("p", "muted", fix.choose === "picker" ? "No picker is logged in" : "Nothing to choose"));
  }
  const free = fix.choose !== "picker";
  $("board-free").hidden = !free;
  $("board-free-value").value = "";
  $("board-free-value").placeholder = fix.choose === "location" ? "Location code" : "Another reason";
  box.hidden = false;
}

export function setupBoard(onFix) {
  sendFix = onFix;
  $("board-cancel").addEventListener("click", () => { chooser = null; $("board-chooser").hidden = true; });
  $("board-free").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("board-free-value").value.trim();
    if (value && chooser) send(chooser.item, chooser.fix, value);
  });
  setInterval(() => { if (model && !$("board").hidden) renderAges(); }, 10000);
}

function renderAges() { if (!chooser) renderBoard(); }

export function showBoard(on) {
  $("board").hidden = !on;
  $("screen").hidden = on;
  if (!on) { chooser = null; $("board-chooser").hidden = true; notice("ok", ""); }
}
