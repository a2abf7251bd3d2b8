// Keyboard-wedge scanners type a whole code as a fast burst of keys ending in Enter or Tab.
// Capture such bursts anywhere on the page (outside text fields), without a focused field.
//
// Gaps are measured with `event.timeStamp` (when the browser created the key event), not
// with the time the handler runs: a busy page (a render, a socket message) delays handlers
// by tens of milliseconds but not the events' own timestamps, so a scan stays a burst.
// Scanners send keys 1-10 ms apart (Bluetooth ones with some jitter); people rarely press
// three keys in a row under 30 ms apart, and a held key (auto-repeat) never counts.
const MAX_GAP_MS = 30;  // every gap of a scan, the one before Enter/Tab included
const MIN_LENGTH = 2;   // short labels ("T1") are scans too when they come as a burst
const GS = "\u001d";    // FNC1 of GS1 codes: scanners type it as Ctrl+]

function inField(target) {
  if (!target) return false;
  return target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
    target.tagName === "SELECT" || target.isContentEditable;
}

export function captureWedge(onScan) {
  let buffer = "";
  let last = -Infinity;  // timeStamp of the previous key of the burst
  document.addEventListener("keydown", (event) => {
    if (inField(event.target)) return;
    if (["Shift", "Control", "Alt", "AltGraph", "CapsLock"].includes(event.key)) return;
    const at = event.timeStamp;
    const burst = buffer !== "" && at - last <= MAX_GAP_MS && !event.repeat;
    last = at;
    if (!burst) buffer = "";
    if (event.repeat) return;
    if (event.key === "Enter" || event.key === "Tab") {
      if (burst && buffer.length >= MIN_LENGTH) {
        event.preventDefault();  // a scan, not a press of the focused button
        onScan(buffer);
      }
      buffer = "";
      return;
    }
    if (event.ctrlKey && (event.key === "]" || event.code === "BracketRight")) {
      buffer += GS;
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      buffer += event.key;
    } else {
      buffer = "";
    }
  }, true);
}
