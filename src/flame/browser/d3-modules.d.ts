/** The parts of d3-flame-graph 5 and d3-selection 3 the flame view uses (neither ships types). */
declare module 'd3-flame-graph' {
  /** d3-hierarchy's node over the data, as d3-flame-graph hands it to callbacks. */
  export interface FlameHierarchyNode<T> {
    readonly data: T;
    readonly value: number;
    readonly parent: FlameHierarchyNode<T> | null;
    readonly children?: FlameHierarchyNode<T>[];
    readonly depth: number;
    highlight?: boolean;
  }

  export interface FlameTooltip<T> {
    (selection: unknown): void;
    show(event: unknown, node: FlameHierarchyNode<T>): FlameTooltip<T>;
    hide(): FlameTooltip<T>;
  }

  export interface FlameGraphChart<T> {
    (selection: unknown): void;
    width(width: number): FlameGraphChart<T>;
    cellHeight(height: number): FlameGraphChart<T>;
    minFrameSize(pixels: number): FlameGraphChart<T>;
    transitionDuration(ms: number): FlameGraphChart<T>;
    title(title: string): FlameGraphChart<T>;
    tooltip(tooltip: FlameTooltip<T>): FlameGraphChart<T>;
    inverted(inverted: boolean): FlameGraphChart<T>;
    sort(sort: boolean | ((a: FlameHierarchyNode<T>, b: FlameHierarchyNode<T>) => number)): FlameGraphChart<T>;
    setColorMapper(mapper: (node: FlameHierarchyNode<T>, originalColor: string) => string): FlameGraphChart<T>;
    setSearchMatch(match: (node: FlameHierarchyNode<T>, term: string) => boolean): FlameGraphChart<T>;
    setSearchHandler(handler: (results: FlameHierarchyNode<T>[], sum: number, total: number) => void): FlameGraphChart<T>;
    onClick(handler: (node: FlameHierarchyNode<T>) => void): FlameGraphChart<T>;
    search(term: string): void;
    clear(): void;
    resetZoom(): void;
    update(): FlameGraphChart<T>;
    destroy(): FlameGraphChart<T>;
  }

  export default function flamegraph<T>(): FlameGraphChart<T>;
}

declare module 'd3-selection' {
  export interface Selection {
    datum(data: unknown): Selection;
    call(fn: (selection: Selection) => void): Selection;
  }
  export function select(element: unknown): Selection;
}

/** Stylesheets imported for esbuild, which bundles them into flame-view.css. */
declare module '*.css' {}
