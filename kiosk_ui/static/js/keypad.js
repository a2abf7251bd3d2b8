// A big on-screen numeric keypad for actions that declare `input: {kind: "number", min, max,
// label}` (docs/architecture.md, Floor protocol): glove-sized keys, the value shown large. It checks only the
// bounds the server declared; the server validates the value it receives again.
const $ = (id) => document.getElementById(id);
let done = null;   // (value) => void, while the keypad is open
let spec = null;

function digits() { return $("keypad-value").value.replace(/\D/g, ""); }

function set(text) {
  $("keypad-value").value = text.replace(/\D/g, "").replace(/^0+(?=\d)/, "").slice(0, 9);
  $("keypad-error").hidden = true;
}

function press(key) {
  if (key === "back") set(digits().slice(0, -1));
  else if (key === "clear") set("");
  else set(digits() + key);
  $("keypad-value").focus();
}

function range(input) {
  if (input.min != null && input.max != null) return `from ${input.min} to ${input.max}`;
  if (input.min != null) return `of ${input.min} or more`;
  if (input.max != null) return `up to ${input.max}`;
  return "";
}

function submit() {
  const text = digits();
  const value = Number(text);
  const bad = text === "" || (spec.min != null && value < spec.min) || (spec.max != null && value > spec.max);
  if (bad) {
    const err = $("keypad-error");
    err.textContent = `Key a whole number ${range(spec)}`.trim();
    err.hidden = false;
    return;
  }
  const send = done;
  close();
  send(value);
}

export function openKeypad(input, heading, onValue) {
  spec = input;
  done = onValue;
  $("keypad-title").textContent = heading;
  $("keypad-label").textContent = input.label || "";
  const bounds = range(input);
  $("keypad-range").textContent = bounds.charAt(0).toUpperCase() + bounds.slice(1);
  $("keypad-range").hidden = !bounds;
  set("");
  $("keypad").hidden = false;
  $("keypad-value").focus();
}

export function close() {
  done = null;
  spec = null;
  $("keypad").hidden = true;
}

export function isOpen() { return !$("keypad").hidden; }

export function setupKeypad() {
  $("keypad-keys").addEventListener("click", (event) => {
    const key = event.target.closest("button")?.dataset.key;
    if (key) press(key);
  });
  $("keypad-form").addEventListener("submit", (event) => { event.preventDefault(); if (done) submit(); });
  $("keypad-cancel").addEventListener("click", close);
  $("keypad-value").addEventListener("input", () => set($("keypad-value").value));
  $("keypad").addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
}
