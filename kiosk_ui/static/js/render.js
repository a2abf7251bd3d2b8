// Renders a server-driven screen (docs/architecture.md, Floor protocol). Holds no workflow
// rules: only how values of a few generic shapes read on a screen.
import { api } from "./api.js";
import { signal } from "./feedback.js";

const $ = (id) => document.getElementById(id);
// Keys of target/progress are protocol names (sku, rma_id): shown as readable labels.
const ACRONYMS = new Set(["sku", "rma", "sscc", "gtin", "id", "qty"]);
const WORDS = { qty: "Qty" };
// A key's unit suffix (expected_g, dims_mm): said with the value, not in the label.
const UNITS = { g: "g", mm: "mm" };
// target.label: the path of an image of the package's label, shown as a preview.
const IMAGE_KEYS = new Set(["label"]);
const NUMBER = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const LONG = 14;  // characters: a longer value is set smaller, to stay on one line
const LONG_PROMPT = 70;  // characters: a longer prompt is set smaller, to leave room

function unitOf(key) {
  const unit = key.split("_").at(-1);
  return key.includes("_") && UNITS[unit] ? UNITS[unit] : null;
}

export function labelOf(key) {
  const parts = key.split("_");
  if (unitOf(key)) parts.pop();
  const words = parts.map((w) => WORDS[w] || (ACRONYMS.has(w) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const isPlain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// Measures read grouped ("1,234 g"); a bare number may be a code, so it stays as it is.
const number = (n, unit) => (unit ? `${NUMBER.format(n)} ${unit}` : String(n));

function text(content, status) {
  const span = document.createElement("span");
  span.textContent = content;
  if (status) span.dataset.status = status;
  return span;
}

// A value as the screen shows it, or null (left out). Nested shapes, whatever the screen:
//   {grams, status}    a reading: "884 g (stable)", or its status while it has no grams
//   {status, message}  a device's state: its message
//   {key: number...}   counts, e.g. SKU -> qty: a list, "none" when empty
function valueNode(key, value) {
  if (value === null || value === undefined || IMAGE_KEYS.has(key)) return null;
  if (typeof value === "number") return text(number(value, unitOf(key)));
  if (typeof value !== "object") return text(String(value));
  if (!isPlain(value)) return null;
  if ("grams" in value) {
    const status = value.status ? String(value.status) : "";
    if (typeof value.grams !== "number") return text(status || "no reading", status);
    return text(status ? `${number(value.grams, "g")} (${status})` : number(value.grams, "g"), status);
  }
  if ("message" in value) return text(String(value.message ?? ""), value.status ? String(value.status) : "");
  const entries = Object.entries(value);
  if (!entries.every(([, n]) => typeof n === "number")) return null;
  if (!entries.length) return text("none", "none");
  const list = document.createElement("ul");
  list.className = "counts";
  for (const [name, n] of entries) {
    const item = document.createElement("li");
    const what = document.createElement("span");
    what.className = "count-key";
    what.textContent = name;
    const howMany = document.createElement("span");
    howMany.className = "count-n";
    howMany.textContent = `× ${n}`;
    item.append(what, " ", howMany);
    list.append(item);
  }
  return list;
}

function pairs(el, data) {
  el.replaceChildren();
  for (const [key, value] of Object.entries(data || {})) {
    const node = valueNode(key, value);
    if (node === null) continue;
    const dt = document.createElement("dt");
    dt.textContent = labelOf(key);
    const dd = document.createElement("dd");
    dd.dataset.key = key;
    if (node.tagName === "UL") dd.className = "list";
    else if (node.textContent.length > LONG) dd.className = "long";  // e.g. an SSCC: one line
    dd.append(node);
    el.append(dt, dd);
  }
  el.hidden = el.children.length === 0;
}

// The image a screen names (target.label), fetched with the kiosk's tokens and shown from a
// blob: URL. The same path again (a refresh, a reprint) keeps the image; the old URL is
// revoked when another image replaces it or the screen has none.
let imagePath = null;
let imageUrl = null;

function setImage(url) {
  const img = $("label-image");
  if (url) img.src = url; else img.removeAttribute("src");
  if (imageUrl && imageUrl !== url) URL.revokeObjectURL(imageUrl);
  imageUrl = url;
}

async function preview(path) {
  const figure = $("label-preview");
  if (!path) {
    imagePath = null;
    figure.hidden = true;
    return setImage(null);
  }
  if (path === imagePath) return;
  imagePath = path;
  figure.hidden = false;
  figure.dataset.state = "loading";
  $("label-caption").textContent = "Loading the label…";
  const blob = await api.image(path);
  if (imagePath !== path) return;  // another screen came meanwhile
  if (!blob) {
    figure.dataset.state = "failed";
    $("label-caption").textContent = "The label preview is not available";
    return setImage(null);
  }
  setImage(URL.createObjectURL(blob));
  figure.dataset.state = "shown";
  $("label-caption").textContent = "Label preview";
}

// `refresh`: the same work pushed again without feedback; what is being typed stays.
export function render(screen, onAction, { refresh = false } = {}) {
  $("enroll").hidden = true;
  $("screen").hidden = false;
  document.body.dataset.screen = screen.name;
  $("title").textContent = screen.title;
  $("prompt").textContent = screen.prompt;
  $("prompt").classList.toggle("long", (screen.prompt || "").length > LONG_PROMPT);
  pairs($("target"), screen.target);
  pairs($("progress"), screen.progress);
  const image = [...IMAGE_KEYS].map((k) => screen.target?.[k]).find((v) => typeof v === "string");
  preview(image || null);
  const fb = $("feedback");
  fb.hidden = !screen.feedback;
  fb.className = "feedback " + (screen.feedback ? screen.feedback.level : "");
  fb.textContent = screen.feedback ? screen.feedback.message : "";
  if (screen.feedback) signal(screen.feedback.level);
  const pin = screen.expect === "pin";
  $("pin-form").hidden = !pin;
  $("pin-submit").textContent = screen.name === "login.pin" ? "Log in" : "OK";
  if (!(pin && refresh)) $("pin").value = "";
  if (pin) $("pin").focus();
  const nav = $("actions");
  nav.replaceChildren();
  for (const action of screen.actions || []) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "action" + (action.id === "logout" || action.id === "cancel" ? " quiet" : "");
    button.dataset.action = action.id;
    button.textContent = action.label;
    if (action.input) button.setAttribute("aria-haspopup", "dialog");
    button.addEventListener("click", () => onAction(action));
    nav.append(button);
  }
}

export function showEnroll(message) {
  $("screen").hidden = true;
  $("enroll").hidden = false;
  preview(null);
  const err = $("enroll-error");
  err.hidden = !message;
  err.textContent = message || "";
  if (message) signal("error");
}

export function banner(text) {
  const el = $("banner");
  el.hidden = !text;
  el.textContent = text || "";
}
