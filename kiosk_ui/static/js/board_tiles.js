// The board's tile helpers and the tiles that show the floor's health, which offer no fix:
// the throughput chart, the devices, the cold chain's probes and the webhooks. Rendered from
// the board model the server pushes (board.js), holding no rules.
const SERIES_COLORS = { picks: "#2f7bff", packages: "#0fa34a", dispatched: "#ffb000", returns: "#c061ff" };

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function ago(iso) {
  if (!iso) return "never";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}

export function tile(id, title, count) {
  const section = el("section", "tile");
  section.id = `tile-${id}`;
  const h = el("h2", null, title);
  if (count !== undefined) h.append(" ", el("span", "count", String(count)));
  section.append(h);
  return section;
}

export function chart(tp) {
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

export function devices(d) {
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
export function probes(list) {
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

export function sync(list) {
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
