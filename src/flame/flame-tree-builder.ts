/**
 * A flame graph's tree while it is built, kept compact: nodes are indices into typed arrays (name
 * id, values of the new profile (+) and of a diff's base (−), parent), and a node's child of a
 * given name is found through one Map keyed by (parent, name id), so a tree of 100,000 frames is
 * a few MB. finish() gives the FlameNode tree the page and the SVG draw.
 */
import { int64 } from '../pprof/top.js';
import type { FlameProfile } from './flame-profile.js';
import { FrameNames, locationFrames } from './flame-frames.js';
import type { FlameNode } from './flame-tree.js';

/** Name ids stay below this, so (parent, name) is one safe integer: parent × NAME_SPACE + name. */
const NAME_SPACE = 2 ** 22;
const ROOT = 0;

export class FlameTreeBuilder {
  private readonly names = new FrameNames();
  private readonly children = new Map<number, number>();
  private count = 1;
  private nameOf = new Int32Array(1024);
  private parentOf = new Int32Array(1024);
  private added = new Float64Array(1024);
  private removed = new Float64Array(1024);

  /** Adds value `index` of every sample along its stack, `sign` 1 (a profile) or −1 (a diff's base); returns Σ|value|. */
  add(profile: FlameProfile, index: number, sign: 1 | -1): number {
    const frames = locationFrames(profile.tables, this.names);
    if (this.names.list.length > NAME_SPACE) throw new RangeError(`more than ${NAME_SPACE} distinct function names`);
    const { samples } = profile;
    let total = 0;
    for (let s = 0; s < samples.count; s++) {
      const w = int64(samples.value(s, index));
      if (w === 0) continue;
      total += Math.abs(w);
      const value = w * sign;
      this.addValue(ROOT, value);
      const key = samples.key(s);
      let node = ROOT;
      // key[0] is the label set; then locations, leaf first: walk them outermost first.
      for (let k = key.length - 1; k >= 1; k--) {
        const location = key[k]!;
        for (let f = frames.start[location + 1]! - 1; f >= frames.start[location]!; f--) {
          node = this.child(node, frames.names[f]!);
          this.addValue(node, value);
        }
      }
    }
    return total;
  }

  /** The tree, children widest first (then by name), children of no value left out; `diff`: value new + base, delta new − base. */
  finish(diff: boolean): FlameNode {
    const childStart = new Int32Array(this.count + 1);
    for (let n = 1; n < this.count; n++) childStart[this.parentOf[n]! + 1]! += 1;
    for (let n = 0; n < this.count; n++) childStart[n + 1]! += childStart[n]!;
    const childList = new Int32Array(Math.max(this.count - 1, 0));
    const filled = childStart.slice(0, this.count);
    for (let n = 1; n < this.count; n++) childList[filled[this.parentOf[n]!]!++] = n;
    const build = (node: number): FlameNode => {
      const kids: FlameNode[] = [];
      for (let c = childStart[node]!; c < childStart[node + 1]!; c++) {
        const child = build(childList[c]!);
        if (child.value !== 0) kids.push(child);
      }
      kids.sort((l, r) => r.value - l.value || (l.name < r.name ? -1 : l.name > r.name ? 1 : 0));
      return this.flameNode(node, diff, kids);
    };
    return build(ROOT);
  }

  private flameNode(node: number, diff: boolean, children: FlameNode[]): FlameNode {
    const name = node === ROOT ? 'root' : this.names.list[this.nameOf[node]!]!;
    const added = this.added[node]!;
    const removed = this.removed[node]!;
    if (!diff) return { name, value: added - removed, children };
    return { name, value: added + removed, delta: added - removed, children };
  }

  private child(parent: number, name: number): number {
    const key = parent * NAME_SPACE + name;
    let node = this.children.get(key);
    if (node === undefined) {
      node = this.newNode(parent, name);
      this.children.set(key, node);
    }
    return node;
  }

  private newNode(parent: number, name: number): number {
    if (this.count === this.nameOf.length) this.grow(this.count * 2);
    const node = this.count++;
    this.nameOf[node] = name;
    this.parentOf[node] = parent;
    return node;
  }

  private addValue(node: number, value: number): void {
    if (value >= 0) this.added[node]! += value;
    else this.removed[node]! -= value;
  }

  private grow(size: number): void {
    this.nameOf = grown(this.nameOf, new Int32Array(size));
    this.parentOf = grown(this.parentOf, new Int32Array(size));
    this.added = grown(this.added, new Float64Array(size));
    this.removed = grown(this.removed, new Float64Array(size));
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
