/**
 * Frame colours shared by the interactive view and the static SVG: warm colours by name for a
 * profile; for a diff, red where the profile grew, green where it shrank, grey where nothing
 * changed, stronger the more of the frame's width is change.
 */

const GREY = 224;

export function diffColor(value: number, delta: number): string {
  if (delta === 0 || value === 0) return `rgb(${GREY},${GREY},${GREY})`;
  const strength = 0.3 + 0.7 * Math.min(1, Math.abs(delta) / value);
  const faded = Math.round(GREY * (1 - strength));
  return delta > 0 ? `rgb(255,${faded},${faded})` : `rgb(${faded},${Math.round(GREY - 34 * strength)},${faded})`;
}

/** A warm colour that depends on the name only, so a function keeps its colour across graphs. */
export function nameColor(name: string): string {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  const vector = (hash % 1000) / 1000;
  return `rgb(${205 + Math.round(50 * vector)},${Math.round(80 + 110 * (1 - vector))},${Math.round(40 * vector)})`;
}
