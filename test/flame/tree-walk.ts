/** Walks over a flame graph's tree, for the tests that compare it with pprof. */
import type { FlameNode } from '../../src/flame/flame-tree.js';

/** Σ value (or delta) of the nodes named `name` that have no `name` above them: what pprof's cum counts. */
export function cumFromTree(root: FlameNode, pick: (node: FlameNode) => number): Map<string, number> {
  const cum = new Map<string, number>();
  const visit = (node: FlameNode, above: ReadonlySet<string>): void => {
    if (!above.has(node.name)) cum.set(node.name, (cum.get(node.name) ?? 0) + pick(node));
    const next = new Set(above).add(node.name);
    for (const child of node.children) visit(child, next);
  };
  for (const child of root.children) visit(child, new Set());
  return cum;
}

/** Every node with its path from the root (root excluded), widest first. */
export function paths(root: FlameNode): { path: string[]; node: FlameNode }[] {
  const all: { path: string[]; node: FlameNode }[] = [];
  const visit = (node: FlameNode, path: string[]): void => {
    all.push({ path, node });
    for (const child of node.children) visit(child, [...path, child.name]);
  };
  for (const child of root.children) visit(child, [child.name]);
  return all.sort((a, b) => b.node.value - a.node.value);
}

/** How many frames of the tree are named `name`. */
export function countNamed(root: FlameNode, name: string): number {
  let count = root.name === name ? 1 : 0;
  for (const child of root.children) count += countNamed(child, name);
  return count;
}
