/**
 * The call graph `go tool pprof` builds at its default granularity, `functions`, ported from
 * google/pprof internal/graph (Go 1.19): one node per function name (nameless frames become
 * `[binary]` or `<unknown>`), cum counted once per sample even when a function recurs, flat given
 * to the innermost frame only, and edges that remember whether a call was inlined.
 *
 * A graph can be rebuilt keeping only some nodes, as pprof does when it trims: a sample whose
 * innermost frames were dropped then gives its flat value to no node.
 */
import type { Profile } from 'pprof-format';

/** A profile reduced to what the graph needs: nodes, and each sample's stack as node ids. */
export interface FunctionStacks {
  /** pprof's printable name of each node. */
  readonly names: readonly string[];
  /** Go's fmt.Sprint of each node's NodeInfo: pprof's last tie-breaker when sorting. */
  readonly infoStrings: readonly string[];
  /** Frames of sample s are frameNode[sampleStart[s] .. sampleStart[s+1]), outermost first. */
  readonly sampleStart: Int32Array;
  readonly frameNode: Int32Array;
  /** 1 when the frame is an inlined call inside its location (not the location's outermost line). */
  readonly frameInline: Uint8Array;
}

export interface FunctionGraph {
  /** Nodes with a non-zero flat or cum value, unsorted. */
  readonly nodes: number[];
  readonly flat: Float64Array;
  readonly cum: Float64Array;
  /** Call edges between kept nodes, keyed by dest × nodeCount + src. */
  readonly edges: Map<number, GraphEdge>;
}

export interface GraphEdge {
  readonly src: number;
  readonly dest: number;
  weight: number;
  /** False once any call along this edge was not inlined. */
  inline: boolean;
  /** The last sample that added to this edge (pprof counts an edge once per sample). */
  lastSample: number;
}

/** Go's filepath.Base. */
function baseName(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** pprof drops mapping file names that are absolute URLs when there is no build id (unsourceMappings). */
export function mappingFile(file: string, buildId: string): string {
  if (buildId === '' && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(file)) return '';
  return file;
}

/** How pprof prints a frame: the function's name, else `[objfile base name]`, else `<unknown>`. */
export function frameName(name: string, objfile: string): string {
  return name !== '' ? name : objfile !== '' ? `[${baseName(objfile)}]` : '<unknown>';
}

export function functionStacks(profile: Profile): FunctionStacks {
  const strings = profile.stringTable.strings;
  const str = (index: number | bigint): string => strings[Number(index)] ?? '';

  const mappingFiles = new Map<number, string>();
  for (const m of profile.mapping) mappingFiles.set(Number(m.id), mappingFile(str(m.filename), str(m.buildId)));
  const functions = new Map<number, { name: string; startLine: number }>();
  for (const fn of profile.function) functions.set(Number(fn.id), { name: str(fn.name), startLine: Number(fn.startLine) });

  const names: string[] = [];
  const infoStrings: string[] = [];
  const nodeByKey = new Map<string, number>();
  const nodeFor = (name: string, objfile: string, startLine: number): number => {
    // NodeInfo at function granularity: {Name, OrigName:"", Address:0, File:"", StartLine, Lineno:0, Objfile};
    // objfile and start line only count when the function has no name.
    const key = name !== '' ? name : `\u0000${startLine}\u0000${objfile}`;
    let id = nodeByKey.get(key);
    if (id === undefined) {
      id = names.length;
      nodeByKey.set(key, id);
      names.push(frameName(name, objfile));
      infoStrings.push(`{${name}  0  ${startLine} 0 ${objfile}}`);
    }
    return id;
  };

  // Per location: node per line, innermost (line[0]) first.
  const locationNodes = new Map<number, number[]>();
  const denseLocationNodes: Array<number[] | undefined> = [];
  for (const loc of profile.location) {
    const objfile = mappingFiles.get(Number(loc.mappingId)) ?? '';
    const nodes: number[] = [];
    if (loc.line.length === 0) nodes.push(nodeFor('', objfile, 0));
    for (const line of loc.line) {
      const fn = functions.get(Number(line.functionId));
      if (fn === undefined) nodes.push(nodeFor('', objfile, 0));
      else if (fn.name !== '') nodes.push(nodeFor(fn.name, '', 0));
      else nodes.push(nodeFor('', objfile, fn.startLine));
    }
    const id = Number(loc.id);
    locationNodes.set(id, nodes);
    if (id < 4 * profile.location.length + 1024) denseLocationNodes[id] = nodes;
  }
  const nodesOf = (id: number | bigint): number[] => (typeof id === 'number' ? denseLocationNodes[id] : undefined) ?? locationNodes.get(Number(id)) ?? [];

  let frames = 0;
  for (const sample of profile.sample) {
    for (const id of sample.locationId) frames += nodesOf(id).length;
  }
  const sampleStart = new Int32Array(profile.sample.length + 1);
  const frameNode = new Int32Array(frames);
  const frameInline = new Uint8Array(frames);
  let at = 0;
  profile.sample.forEach((sample, s) => {
    sampleStart[s] = at;
    for (let i = sample.locationId.length - 1; i >= 0; i--) {
      const nodes = nodesOf(sample.locationId[i]!);
      for (let ni = nodes.length - 1; ni >= 0; ni--) {
        frameNode[at] = nodes[ni]!;
        frameInline[at] = ni !== nodes.length - 1 ? 1 : 0;
        at++;
      }
    }
  });
  sampleStart[profile.sample.length] = at;
  return { names, infoStrings, sampleStart, frameNode, frameInline };
}

/**
 * graph.New for one sample value per sample (`weights[s]`). With `kept`, only nodes whose flag is
 * set exist, as when pprof rebuilds a trimmed graph from a NodeSet.
 */
export function buildFunctionGraph(stacks: FunctionStacks, weights: Float64Array, kept?: Uint8Array): FunctionGraph {
  const nodeCount = stacks.names.length;
  const flat = new Float64Array(nodeCount);
  const cum = new Float64Array(nodeCount);
  const seenInSample = new Int32Array(nodeCount).fill(-1);
  const edges = new Map<number, GraphEdge>();
  const { sampleStart, frameNode, frameInline } = stacks;

  for (let s = 0; s < weights.length; s++) {
    const w = weights[s]!;
    if (w === 0) continue;
    let parent = -1;
    let residual = false;
    for (let f = sampleStart[s]!; f < sampleStart[s + 1]!; f++) {
      const node = frameNode[f]!;
      if (kept !== undefined && kept[node] !== 1) {
        residual = true;
        continue;
      }
      if (seenInSample[node] !== s) {
        seenInSample[node] = s;
        cum[node] = cum[node]! + w;
      }
      if (parent !== -1 && node !== parent) {
        const pair = node * nodeCount + parent;
        const edge = edges.get(pair);
        const inline = frameInline[f] === 1;
        if (edge === undefined) {
          edges.set(pair, { src: parent, dest: node, weight: w, inline, lastSample: s });
        } else if (edge.lastSample !== s) {
          edge.lastSample = s;
          edge.weight += w;
          if (!inline) edge.inline = false;
        }
      }
      parent = node;
      residual = false;
    }
    if (parent !== -1 && !residual) flat[parent] = flat[parent]! + w;
  }

  const nodes: number[] = [];
  for (let n = 0; n < nodeCount; n++) {
    if (flat[n] !== 0 || cum[n] !== 0) nodes.push(n);
  }
  return { nodes, flat, cum, edges };
}

/** Go's byte-wise string order (UTF-8), which differs from JS `<` for characters beyond the BMP. */
export function goStringLess(a: string, b: string): boolean {
  return goStringCompare(a, b) < 0;
}

export function goStringCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** pprof's FlatNameOrder: |flat| desc, name, |cum| desc, then the NodeInfo string. */
export function sortByFlatThenName(graph: FunctionGraph, stacks: FunctionStacks, nodes: number[]): number[] {
  const { flat, cum } = graph;
  return nodes.sort((l, r) => {
    const fl = Math.abs(flat[l]!);
    const fr = Math.abs(flat[r]!);
    if (fl !== fr) return fl > fr ? -1 : 1;
    const byName = goStringCompare(stacks.names[l]!, stacks.names[r]!);
    if (byName !== 0) return byName;
    const cl = Math.abs(cum[l]!);
    const cr = Math.abs(cum[r]!);
    if (cl !== cr) return cl > cr ? -1 : 1;
    return goStringCompare(stacks.infoStrings[l]!, stacks.infoStrings[r]!);
  });
}
