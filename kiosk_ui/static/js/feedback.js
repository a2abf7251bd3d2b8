// ok / warn / error: distinct sounds (Web Audio) and vibration where the device has it.
const TONES = {
  ok: [[880, 0.09, "sine"]],
  warn: [[520, 0.12, "triangle"], [520, 0.12, "triangle"]],
  error: [[200, 0.35, "square"], [160, 0.35, "square"]],
};
const VIBRATE = { ok: [40], warn: [80, 60, 80], error: [300, 100, 300] };
let audio = null;

function context() {
  if (!audio && window.AudioContext) audio = new AudioContext();
  return audio;
}

export function signal(level) {
  const tones = TONES[level];
  if (!tones) return;
  if (navigator.vibrate) navigator.vibrate(VIBRATE[level]);
  const ctx = context();
  if (!ctx) return;
  let at = ctx.currentTime;
  for (const [freq, length, type] of tones) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.25, at);
    gain.gain.exponentialRampToValueAtTime(0.001, at + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + length);
    at += length + 0.05;
  }
}

// Browsers start audio only after a user gesture: unlock on the first touch or key.
for (const name of ["pointerdown", "keydown"]) {
  document.addEventListener(name, () => context()?.resume?.(), { once: true, capture: true });
}
