/**
 * A static flame graph as one SVG document (written by hand: d3-flame-graph needs a DOM): the
 * root at the bottom, each frame a rect with its name as far as it fits and a <title> with its
 * values (the tooltip of SVG viewers), frames under half a pixel left out. Every name is
 * XML-escaped; diffs take the page's red/green colours.
 */
import { diffColor, nameColor } from './flame-colors.js';
import { FlameText } from './flame-text.js';
import type { FlameGraphData, FlameNode } from './flame-tree.js';

export interface FlameSvgOptions {
  /** Image width in pixels; default 1200. */
  readonly width?: number;
}

const ROW = 17;
const HEADER = 48;
const PAD = 10;
const FONT_SIZE = 12;
/** An average glyph width at FONT_SIZE in a sans-serif face, to decide how much of a name fits. */
const CHAR_WIDTH = 7;
const MIN_WIDTH = 0.5;

interface PlacedFrame {
  readonly node: FlameNode;
  readonly parent: FlameNode | undefined;
  readonly x: number;
  readonly width: number;
  readonly depth: number;
}

export function flameSvg(data: FlameGraphData, options: FlameSvgOptions = {}): string {
  const width = options.width ?? 1200;
  const text = new FlameText(data);
  const frames = placeFrames(data.root, (width - 2 * PAD) / (data.root.value || 1));
  const depth = frames.reduce((max, f) => Math.max(max, f.depth), 0);
  const height = HEADER + (depth + 1) * ROW + PAD;
  const diff = data.diff !== undefined;
  const body = frames.map((frame) => frameSvg(frame, height, text, diff));
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Verdana, sans-serif" font-size="${FONT_SIZE}">
<title>${xml(`${data.title} - flame graph`)}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${PAD}" y="22" font-size="17" font-weight="bold">${xml(data.title)}</text>
<text x="${PAD}" y="40" fill="#444444">${xml(text.summary())}</text>
${body.join('\n')}
</svg>
`;
}

/** Frames laid out left to right, widest first as in the tree, skipping what is too thin to see. */
function placeFrames(root: FlameNode, scale: number): PlacedFrame[] {
  const placed: PlacedFrame[] = [];
  const visit = (node: FlameNode, parent: FlameNode | undefined, x: number, depth: number): void => {
    const width = node.value * scale;
    if (width < MIN_WIDTH) return;
    placed.push({ node, parent, x, width, depth });
    let childX = x;
    for (const child of node.children) {
      visit(child, node, childX, depth + 1);
      childX += child.value * scale;
    }
  };
  visit(root, undefined, PAD, 0);
  return placed;
}

function frameSvg(frame: PlacedFrame, height: number, text: FlameText, diff: boolean): string {
  const { node, x, width, depth } = frame;
  const y = height - PAD - (depth + 1) * ROW;
  const fill = diff ? diffColor(node.value, node.delta ?? 0) : nameColor(node.name);
  const title = text.frameLines(node, frame.parent).join('\n');
  const shown = fitName(node.name, width);
  const label = shown === '' ? '' : `<text x="${round(x + 3)}" y="${y + ROW - 5}">${xml(shown)}</text>`;
  return `<g><title>${xml(title)}</title><rect x="${round(x)}" y="${y}" width="${round(width)}" height="${ROW - 1}" fill="${fill}" rx="2"/>${label}</g>`;
}

/** As much of the name as fits the frame, cut with "..", or nothing under three characters. */
function fitName(name: string, width: number): string {
  const fits = Math.floor((width - 6) / CHAR_WIDTH);
  if (fits < 3) return '';
  return name.length <= fits ? name : `${name.slice(0, fits - 2)}..`;
}

function round(n: number): string {
  return n.toFixed(2).replace(/\.?0+$/, '');
}

/** Text for XML content and attribute values; characters XML 1.0 cannot hold at all become U+FFFD. */
export function xml(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
