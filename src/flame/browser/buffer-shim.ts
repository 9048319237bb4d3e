/**
 * Injected by scripts/build-assets.mjs for the free `Buffer` of src/pprof/measurement.ts (it
 * only asks a unit name's UTF-8 length), so the page labels values exactly as pprof does.
 */
export const Buffer = {
  byteLength: (text: string): number => new TextEncoder().encode(text).length,
};
