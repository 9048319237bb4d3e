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
import { diffColor } from '../flame-colors.js';
import { FlameText } from '../flame-text.js';
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
      matches.textContent = text.matches(results.length, topMatches(results));
    });
  if (data.diff !== undefined) chart.setColorMapper(diffFrameColor);
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

/** d3-flame-graph's tooltip protocol (show/hide), drawn as text lines that follow the mouse. */
function flameTooltip(text: FlameText): { element: DomElement; tip: FlameTooltip<FlameNode> } {
  const box = element('div', 'kpf-tooltip');
  box.setAttribute('role', 'tooltip');
  const tip = (() => undefined) as unknown as FlameTooltip<FlameNode>;
  tip.show = (event, frame) => {
    box.replaceChildren(
      ...text.frameLines(frame.data, frame.parent?.data).map((line, i) => element('div', i === 0 ? 'kpf-tooltip-name' : 'kpf-tooltip-line', line)),
    );
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

/** The diff colours of flame-colors.ts; search matches keep d3's highlight. */
function diffFrameColor(frame: Frame, originalColor: string): string {
  return frame.highlight === true ? originalColor : diffColor(frame.data.value, frame.data.delta ?? 0);
}

function legend(): DomElement {
  const box = element('div', 'kpf-legend');
  box.appendChild(element('span', 'kpf-legend-grew', 'grew'));
  box.appendChild(element('span', 'kpf-legend-shrank', 'shrank'));
  box.appendChild(element('span', 'kpf-legend-same', 'unchanged'));
  box.appendChild(element('span', 'kpf-legend-note', 'width: both profiles together; percentages of the base total'));
  return box;
}

/** The matched frames with no match above them, whose values add up without counting twice. */
function* topMatches(results: readonly Frame[]): Iterable<FlameNode> {
  for (const frame of results) {
    if (!hasHighlightedAncestor(frame)) yield frame.data;
  }
}

function hasHighlightedAncestor(frame: Frame): boolean {
  for (let up = frame.parent; up !== null; up = up.parent) {
    if (up.highlight === true) return true;
  }
  return false;
}
