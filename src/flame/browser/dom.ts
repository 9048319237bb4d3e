/**
 * The little of the browser's DOM the flame view uses, typed here rather than through the `dom`
 * lib: the project's TypeScript program is Node's, and adding `dom` to it would change the types
 * of Node globals (fetch bodies, timers) in every other file.
 */
export interface DomStyle {
  setProperty(name: string, value: string): void;
}

export interface DomEvent {
  readonly clientX: number;
  readonly clientY: number;
  readonly key?: string;
}

export interface DomElement {
  className: string;
  textContent: string | null;
  readonly clientWidth: number;
  readonly offsetWidth: number;
  readonly offsetHeight: number;
  readonly style: DomStyle;
  appendChild<T extends DomElement>(child: T): T;
  replaceChildren(...children: DomElement[]): void;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, listener: (event: DomEvent) => void): void;
  remove(): void;
}

export interface DomInput extends DomElement {
  value: string;
}

interface BrowserWindow {
  readonly document: { createElement(tag: string): DomElement };
  readonly innerWidth: number;
  readonly innerHeight: number;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export const browserWindow = globalThis as unknown as BrowserWindow;

/** A new element with a class and, optionally, text (always as text, never markup). */
export function element(tag: string, className: string, text?: string): DomElement {
  const created = browserWindow.document.createElement(tag);
  created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}
