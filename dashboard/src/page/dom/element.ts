/** What {@link element} sets on a new element. Text only ever goes in as text, never as HTML. */
export interface ElementProps {
  /** Space-separated class names. */
  className?: string;
  /** Set as `textContent`: markup in it stays literal text. */
  text?: string;
  /** Attributes, set with `setAttribute` (so `aria-*`, `role`, `data-*`, `title`...). `undefined` skips one. */
  attrs?: Record<string, string | undefined>;
  /** Inline style properties, such as `{ paddingLeft: '12px' }`. */
  style?: Partial<Record<'paddingLeft' | 'width' | 'height' | 'top' | 'left' | 'background' | 'borderColor' | 'color', string>>;
}

/**
 * Creates a DOM element from plain data. This is the page's only way to build markup: strings from
 * spans (names, attributes, messages) go in through `textContent` or `setAttribute`, so a span named
 * `<img src=x onerror=alert(1)>` shows as those characters and nothing runs.
 *
 * @example
 * ```ts
 * const row = element('li', { className: 'trace', attrs: { role: 'option' } }, [element('span', { text: span.name })]);
 * ```
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: ReadonlyArray<Node | string> = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className !== undefined) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.attrs !== undefined) {
    for (const [name, value] of Object.entries(props.attrs)) if (value !== undefined) node.setAttribute(name, value);
  }
  if (props.style !== undefined) Object.assign(node.style, props.style);
  for (const child of children) node.append(child);
  return node;
}

/**
 * Finds a required element by id, typed.
 *
 * @throws Error naming the id when the page's HTML lacks it (a build mismatch, not user input).
 *
 * @example
 * ```ts
 * const list = byId('trace-list', HTMLOListElement);
 * ```
 */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no <${type.name}> with id "${id}"`);
  return found;
}
