// Renders a server-driven screen (docs/architecture.md, Floor protocol). Holds no workflow
// rules.
import { signal } from "./feedback.js";

const $ = (id) => document.getElementById(id);
// Keys of target/progress are protocol names (sku, rma_id): shown as readable labels.
const ACRONYMS = new Set(["sku", "rma", "sscc", "gtin", "id", "qty"]);
const WORDS = { qty: "Qty" };

export function labelOf(key) {
  const words = key.split("_").map((w) => WORDS[w] || (ACRONYMS.has(w) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function pairs(el, data) {
  el.replaceChildren();
  for (const [key, value] of Object.entries(data || {})) {
    if (value === null || value === undefined || typeof value === "object") continue;
    const dt = document.createElement("dt");
    dt.textContent = labelOf(key);
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    el.append(dt, dd);
  }
  el.hidden = el.children.length === 0;
}

export function render(screen, onAction) {
  $("enroll").hidden = true;
  $("screen").hidden = false;
  document.body.dataset.screen = screen.name;
  $("title").textContent = screen.title;
  $("prompt").textContent = screen.prompt;
  pairs($("target"), screen.target);
  pairs($("progress"), screen.progress);
  const fb = $("feedback");
  fb.hidden = !screen.feedback;
  fb.className = "feedback " + (screen.feedback ? screen.feedback.level : "");
  fb.textContent = screen.feedback ? screen.feedback.message : "";
  if (screen.feedback) signal(screen.feedback.level);
  const pin = screen.expect === "pin";
  $("pin-form").hidden = !pin;
  $("pin").value = "";
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
