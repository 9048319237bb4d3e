/**
 * The words and numbers a flame graph shows (the summary line, a frame's tooltip, the search's
 * match sum), for the interactive page and the static SVG alike: values labelled as pprof labels
 * them (`1.33s`, `12.5MB`), percentages as pprof prints them, of the total (of a diff: of the
 * base's total, signed).
 */
import { label, percentage } from '../pprof/measurement.js';
import type { FlameGraphData, FlameNode } from './flame-tree.js';

export class FlameText {
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

  /**
   * "N matches, X (P%)". `topMatches` are the matched frames under no other match (so nothing
   * counts twice); `count` every matched frame.
   */
  matches(count: number, topMatches: Iterable<FlameNode>): string {
    if (count === 0) return '0 matches';
    let sum = 0;
    for (const node of topMatches) sum += this.diff ? (node.delta ?? 0) : node.value;
    return `${count} ${count === 1 ? 'match' : 'matches'}, ${this.diff ? this.signed(sum) : this.value(sum)} (${this.percent(sum)})`;
  }

  /** The frame's name, then its value and percentages (a diff: the change, then both values). */
  frameLines(node: FlameNode, parent: FlameNode | undefined): string[] {
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
    if (parent !== undefined && parent.value !== 0) lines.push(`${percentage(node.value, parent.value).trim()} of ${parent.name}`);
    return lines;
  }

  value(v: number): string {
    return label(v, this.unit);
  }

  private signed(v: number): string {
    return v > 0 ? `+${this.value(v)}` : this.value(v);
  }

  private percent(v: number): string {
    const text = percentage(v, this.data.total).trim();
    if (!this.diff || v === 0) return text;
    return v < 0 ? `-${text}` : `+${text}`;
  }
}
