/**
 * The interactive flame graph in the page, built into dist/assets/flame-view.js (an IIFE whose
 * global is `KubeProfefeFlame`) by scripts/build-assets.mjs: d3-flame-graph draws and zooms,
 * this file adds the search box and its match sum, the tooltip, the reset button and the
 * diff colours. Every name reaches the page as text (d3's .text, textContent), never as markup.
 *
 *   KubeProfefeFlame.render(element, data, { transitionDuration }) → { search, resetZoom, destroy }
 */
import flamegraph, { type FlameHierarchyNode, type FlameTooltip } from 'd3-flame-graph';
import { select } from 'd3-selection';
import { label, percentage } from '../../pprof/measurement.js';
import type { FlameGraphData, FlameNode } from '../flame-tree.js';
import { browserWindow, type DomElement, type DomEvent, type DomInput, element } from './dom.js';
import './flame-view.css';

type Frame = FlameHierarchyNode<FlameNode>;

export interface RenderOptions {
  /** Zoom animation length; default 300 ms. */
  readonly transitionDuration?: number;
  /** Row height in pixels; default 18. */
  readonly cellHeight?: number;
}

export interface FlameView {
  /** Highlights the frames whose name contains `term` (case-insensitive); '' clears. */
  search(term: string): void;
  resetZoom(): void;
  destroy(): void;
}

export function render(container: DomElement, data: FlameGraphData, options: RenderOptions = {}): FlameView {
  const text = new FlameText(data);
  const header = element('div', 'kpf-header');
  header.appendChild(element('h1', 'kpf-title', data.title));
  header.appendChild(element('div', 'kpf-summary', text.summary()));
  const toolbar = header.appendChild(element('div', 'kpf-toolbar'));
  const searchBox = toolbar.appendChild(element('input', 'kpf-search') as DomInput);
  searchBox.setAttribute('type', 'search');
  searchBox.setAttribute('placeholder', 'Search functions');
  searchBox.setAttribute('aria-label', 'Search functions');
  const reset = toolbar.appendChild(element('button', 'kpf-reset', 'Reset zoom'));
  reset.setAttribute('type', 'button');
  const matches = toolbar.appendChild(element('span', 'kpf-matches'));
  if (data.diff !== undefined) header.appendChild(legend());
  const chartElement = element('div', 'kpf-chart');
  const tooltip = flameTooltip(text);
  container.replaceChildren(header, chartElement, tooltip.element);

  const chart = flamegraph<FlameNode>()
    .width(Math.max(container.clientWidth, 320))
    .cellHeight(options.cellHeight ?? 18)
    .transitionDuration(options.transitionDuration ?? 300)
    .minFrameSize(1)
    .title('')
    .tooltip(tooltip.tip)
    .setSearchMatch((frame, term) => term !== '' && frame.data.name.toLowerCase().includes(term.toLowerCase()))
    .setSearchHandler((results) => {
      matches.textContent = text.matches(results);
    });
  if (data.diff !== undefined) chart.setColorMapper(diffColor);
  select(chartElement).datum(data.root).call(chart);

  const search = (term: string): void => {
    if (term.trim() === '') {
      chart.clear();
      matches.textContent = '';
    } else {
      chart.search(term.trim());
    }
  };
  searchBox.addEventListener('input', () => search(searchBox.value));
  reset.addEventListener('click', () => chart.resetZoom());
  const resize = (): void => {
    chart.width(Math.max(container.clientWidth, 320)).update();
  };
  browserWindow.addEventListener('resize', resize);
  return {
    search(term) {
      searchBox.value = term;
      search(term);
    },
    resetZoom: () => chart.resetZoom(),
    destroy() {
      browserWindow.removeEventListener('resize', resize);
      chart.destroy();
      container.replaceChildren();
    },
  };
}

/** Values and percentages as pprof prints them; a diff's against the base's total. */
class FlameText {
  private readonly unit: string;
  private readonly diff: boolean;

  constructor(private readonly data: FlameGraphData) {
    this.unit = data.sampleType.unit;
    this.diff = data.diff !== undefined;
  }

  summary(): string {
    const { sampleType, total, root } = this.data;
    if (!this.diff) return `${sampleType.type}: ${this.value(total)} total`;
    const delta = root.delta ?? 0;
    return `${sampleType.type}: base ${this.value(total)}, now ${this.value((root.value + delta) / 2)}, change ${this.signed(delta)} (${this.percent(delta)})`;
  }

  /** "N matches, X (P%)": the frames matched under no other match, so nothing counts twice. */
  matches(results: readonly Frame[]): string {
    let sum = 0;
    let count = 0;
    for (const frame of results) {
      count++;
      if (!hasHighlightedAncestor(frame)) sum += this.diff ? (frame.data.delta ?? 0) : frame.data.value;
    }
    const noun = count === 1 ? 'match' : 'matches';
    if (count === 0) return '0 matches';
    return `${count} ${noun}, ${this.diff ? this.signed(sum) : this.value(sum)} (${this.percent(sum)})`;
  }

  tooltipLines(frame: Frame): string[] {
    const node = frame.data;
    if (this.diff) {
      const delta = node.delta ?? 0;
      return [
        node.name,
        `${this.signed(delta)} (${this.percent(delta)} of the base total)`,
        `now ${this.value((node.value + delta) / 2)}, base ${this.value((node.value - delta) / 2)}`,
      ];
    }
    const childValue = node.children.reduce((sum, child) => sum + child.value, 0);
    const lines = [node.name, `${this.value(node.value)} (${this.percent(node.value)} of the total)`, `self ${this.value(node.value - childValue)}`];
    const parent = frame.parent?.data;
    if (parent !== undefined && parent.value !== 0) lines.push(`${percentage(node.value, parent.value).trim()} of ${parent.name}`);
    return lines;
  }

  private value(v: number): string {
    return label(v, this.unit);
  }

  private signed(v: number): string {
    return v > 0 ? `+${this.value(v)}` : this.value(v);
  }

  private percent(v: number): string {
    const text = percentage(v, this.data.total).trim();
    return this.diff && v < 0 ? `-${text}` : this.diff && v > 0 ? `+${text}` : text;
  }
}

function hasHighlightedAncestor(frame: Frame): boolean {
  for (let up = frame.parent; up !== null; up = up.parent) {
    if (up.highlight === true) return true;
  }
  return false;
}

/** d3-flame-graph's tooltip protocol (show/hide), drawn as text lines that follow the mouse. */
function flameTooltip(text: FlameText): { element: DomElement; tip: FlameTooltip<FlameNode> } {
  const box = element('div', 'kpf-tooltip');
  box.setAttribute('role', 'tooltip');
  const tip = (() => undefined) as unknown as FlameTooltip<FlameNode>;
  tip.show = (event, frame) => {
    box.replaceChildren(...text.tooltipLines(frame).map((line, i) => element('div', i === 0 ? 'kpf-tooltip-name' : 'kpf-tooltip-line', line)));
    box.style.setProperty('display', 'block');
    place(box, event as DomEvent);
    return tip;
  };
  tip.hide = () => {
    box.style.setProperty('display', 'none');
    return tip;
  };
  return { element: box, tip };
}

function place(box: DomElement, event: DomEvent): void {
  const margin = 12;
  let left = event.clientX + margin;
  let top = event.clientY + margin;
  if (left + box.offsetWidth > browserWindow.innerWidth) left = Math.max(0, event.clientX - box.offsetWidth - margin);
  if (top + box.offsetHeight > browserWindow.innerHeight) top = Math.max(0, event.clientY - box.offsetHeight - margin);
  box.style.setProperty('left', `${left}px`);
  box.style.setProperty('top', `${top}px`);
}

const GREY = 224;

/**
 * Red where the new profile grew, green where it shrank, grey where nothing changed; the more of
 * the frame's width is change, the stronger the colour. Search matches keep d3's highlight.
 */
export function diffColor(frame: Frame, originalColor: string): string {
  if (frame.highlight === true) return originalColor;
  const { value, delta = 0 } = frame.data;
  if (delta === 0 || value === 0) return `rgb(${GREY},${GREY},${GREY})`;
  const strength = 0.3 + 0.7 * Math.min(1, Math.abs(delta) / value);
  const faded = Math.round(GREY * (1 - strength));
  return delta > 0 ? `rgb(255,${faded},${faded})` : `rgb(${faded},${Math.round(GREY - 34 * strength)},${faded})`;
}

function legend(): DomElement {
  const box = element('div', 'kpf-legend');
  box.appendChild(element('span', 'kpf-legend-grew', 'grew'));
  box.appendChild(element('span', 'kpf-legend-shrank', 'shrank'));
  box.appendChild(element('span', 'kpf-legend-same', 'unchanged'));
  box.appendChild(element('span', 'kpf-legend-note', 'width: both profiles together; percentages of the base total'));
  return box;
}
