// The supervisors' board: renders the board model the server pushes (`board` on the /kiosk
// socket, after every committed change) and sends the fixes tapped (`board.fix`). Holds no
// rules: what is late, what is urgent and which fixes an item offers all come from the
// server (docs/supervision.md). Fixes are never queued offline: a decision taken on a stale
// board is refused on the page, not sent later.
import { openKeypad } from "./keypad.js";
import { signal } from "./feedback.js";

const $ = (id) => document.getElementById(id);
const STATUS_LABELS = {
  accepted: "Accepted", backordered: "Backordered", picking: "Picking", picked: "Picked",
  short_picked: "Short picked", packing: "Packing", packed: "Packed",
};
const SERIES_COLORS = { picks: "#2f7bff", packages: "#0fa34a", dispatched: "#ffb000", returns: "#c061ff" };
let model = null;
let sendFix = null;       // (body) => Promise<reply>, set by open()
let chooser = null;       // {item, fix} while a choice is open
let lastUpdate = null;    // when the last model arrived (the page's clock)

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function ago(iso) {
  if (!iso) return "never";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}

function tile(id, title, count) {
  const section = el("section", "tile");
  section.id = `tile-${id}`;
  const h = el("h2", null, title);
  if (count !== undefined) h.append(" ", el("span", "count", String(count)));
  section.append(h);
  return section;
}

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

function batches(list) {
  const t = tile("batches", "Batches in progress", list.length);
  const rows = el("ul", "rows");
  for (const b of list) {
    const li = el("li");
    li.dataset.batch = b.batch;
    const pct = b.total ? Math.round((100 * b.done) / b.total) : 0;
    const bar = el("span", "progress-bar");
    const fill = el("span", "fill");
    fill.style.width = `${pct}%`;
    bar.append(fill);
    li.append(el("strong", null, b.picker || "waiting"), ` ${b.done}/${b.total}`, bar,
      el("span", "muted", `${b.batch}${b.short ? ` · ${b.short} short` : ""}`));
    rows.append(li);
  }
  if (!list.length) rows.append(el("li", "muted", "none"));
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

function chart(tp) {
  const t = tile("throughput", "Throughput today");
  const names = Object.keys(tp.series);
  const w = 320, h = 120, hours = tp.hours.length;
  const max = Math.max(1, ...names.flatMap((n) => tp.series[n]));
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h + 14}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Per hour: " + names.map((n) => `${n} ${tp.today[n]}`).join(", "));
  const slot = w / Math.max(hours, 1), bw = Math.max(1, (slot - 2) / names.length);
  tp.hours.forEach((hour, i) => {
    names.forEach((name, j) => {
      const v = tp.series[name][i];
      const r = document.createElementNS(ns, "rect");
      const bh = (h * v) / max;
      r.setAttribute("x", String(i * slot + j * bw));
      r.setAttribute("y", String(h - bh));
      r.setAttribute("width", String(bw));
      r.setAttribute("height", String(bh));
      r.setAttribute("fill", SERIES_COLORS[name] || "#888");
      svg.append(r);
    });
    if (hours <= 12 || hour % 3 === 0) {
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", String(i * slot));
      label.setAttribute("y", String(h + 12));
      label.textContent = String(hour);
      svg.append(label);
    }
  });
  t.append(svg);
  const legend = el("p", "legend");
  for (const n of names) {
    const key = el("span", "legend-key", `${n} ${tp.today[n]}`);
    key.style.borderColor = SERIES_COLORS[n] || "#888";
    legend.append(key);
  }
  t.append(legend);
  return t;
}

function devices(d) {
  const t = tile("devices", "Devices", `${d.count - d.offline}/${d.count}`);
  t.dataset.level = d.offline ? "warn" : "ok";
  const rows = el("ul", "rows devices");
  for (const dev of d.devices) {
    const li = el("li");
    li.dataset.availability = dev.availability;
    li.dataset.device = dev.id;
    const where = dev.station || dev.location || "";
    const state = dev.state && typeof dev.state.celsius === "number" ? ` ${dev.state.celsius.toFixed(1)} °C` : "";
    li.append(el("span", "dot"), el("strong", null, dev.id), ` ${dev.kind}${where ? " · " + where : ""}${state}`,
      el("span", "muted", ` ${dev.availability === "online" ? "" : dev.availability + " · "}${ago(dev.last_seen)}`));
    rows.append(li);
  }
  if (!d.devices.length) rows.append(el("li", "muted", "no devices"));
  t.append(rows);
  return t;
}

// A probe's last hours as a line (its average per bucket) inside its range's band.
function probes(list) {
  const t = tile("probes", "Cold chain", list.length);
  t.dataset.level = list.some((p) => p.excursion) ? "error" : list.some((p) => p.stale) ? "warn" : "ok";
  const ns = "http://www.w3.org/2000/svg";
  for (const p of list) {
    const box = el("div", "probe");
    box.dataset.probe = p.id;
    const now = typeof p.celsius === "number" ? `${p.celsius.toFixed(1)} °C` : "no reading";
    const range = p.range ? ` · ${p.range.min_c}–${p.range.max_c} °C` : "";
    const state = p.excursion ? " · out of range" : p.stale ? " · silent" : "";
    box.append(el("p", null, `${p.id} at ${p.location}: ${now}${range}${state}`));
    const values = p.series.flatMap((s) => [s.min_c, s.max_c]);
    if (p.range) values.push(p.range.min_c, p.range.max_c);
    if (p.series.length) {
      const lo = Math.min(...values) - 1, hi = Math.max(...values) + 1;
      const w = 300, h = 60;
      const y = (c) => h - ((c - lo) / (hi - lo)) * h;
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", `${p.id}, last hours`);
      if (p.range) {
        const band = document.createElementNS(ns, "rect");
        band.setAttribute("x", "0");
        band.setAttribute("width", String(w));
        band.setAttribute("y", String(y(p.range.max_c)));
        band.setAttribute("height", String(Math.max(1, y(p.range.min_c) - y(p.range.max_c))));
        band.setAttribute("fill", "rgba(15,163,74,0.25)");
        svg.append(band);
      }
      const line = document.createElementNS(ns, "polyline");
      const step = p.series.length > 1 ? w / (p.series.length - 1) : 0;
      line.setAttribute("points", p.series.map((s, i) => `${i * step},${y(s.avg_c)}`).join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", p.excursion ? "#e0201b" : "#2f7bff");
      line.setAttribute("stroke-width", "2");
      svg.append(line);
      box.append(svg);
    }
    t.append(box);
  }
  return t;
}

function sync(list) {
  const t = tile("sync", "Webhooks");
  const bad = list.some((e) => e.dead || (e.oldest_age_s || 0) > 300 || e.status !== "active");
  t.dataset.level = bad ? "warn" : "ok";
  const rows = el("ul", "rows");
  for (const e of list) {
    const li = el("li");
    li.dataset.endpoint = e.endpoint;
    const oldest = e.oldest_age_s == null ? "" : ` · oldest ${Math.round(e.oldest_age_s)} s`;
    li.append(el("strong", null, e.url), el("span", "muted",
      ` ${e.status} · ${e.pending} pending${oldest} · ${e.dead} dead`));
    rows.append(li);
  }
  if (!list.length) rows.append(el("li", "muted", "no endpoints"));
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

// A push carries only the parts read again, over the version `base`: applied over the
// model held, or refused (false: ask for the whole model) when the page holds another.
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
    batches(model.batches),
    operators(model.operators),
    stations(model.stations),
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
      if (typeof c !== "string" && c.doing) b.append(el("small", "muted", c.doing));
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
