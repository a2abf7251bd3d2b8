// Keyboard-wedge scanners type fast and end with Enter or Tab. Capture such bursts anywhere
// on the page (outside text fields), by inter-key timing, without a visible focused field.
const MAX_GAP_MS = 60;   // people type slower than this between keys; scanners much faster
const MIN_LENGTH = 3;

export function captureWedge(onScan) {
  let buffer = "";
  let last = 0;
  document.addEventListener("keydown", (event) => {
    const t = event.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
    const now = performance.now();
    if (now - last > MAX_GAP_MS) buffer = "";
    last = now;
    if (event.key === "Enter" || event.key === "Tab") {
      if (buffer.length >= MIN_LENGTH) {
        event.preventDefault();
        onScan(buffer);
      }
      buffer = "";
      return;
    }
    if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      buffer += event.key;
    }
  }, true);
}
