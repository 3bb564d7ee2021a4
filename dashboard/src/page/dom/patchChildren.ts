/** What {@link patchChildren} uses of a DOM parent (an `Element`), written out so it runs without a DOM too. */
export interface ChildList<N> {
  readonly firstChild: N | null;
  insertBefore(node: N, before: N | null): unknown;
  removeChild(node: N): unknown;
}

/**
 * Makes `parent`'s children exactly `desired`, in order, touching as few nodes as it can: nodes already
 * in place stay (so the browser restyles only what changed), nodes no longer wanted are removed, new or
 * moved ones are inserted where they belong. A live update that inserts or removes one row of a
 * 130-row list moves one node instead of rebuilding 130.
 *
 * @example
 * ```ts
 * patchChildren(list, rows.map((row) => cache.get(row) ?? render(row)));
 * ```
 */
export function patchChildren<N extends { readonly nextSibling: N | null }>(parent: ChildList<N>, desired: readonly N[]): void {
  const wanted = new Set(desired);
  let current = parent.firstChild;
  for (const node of desired) {
    while (current !== null && !wanted.has(current)) {
      const next = current.nextSibling;
      parent.removeChild(current);
      current = next;
    }
    if (current === node) {
      current = current.nextSibling;
      continue;
    }
    // A new node, or one further down that moves up to here.
    parent.insertBefore(node, current);
  }
  while (current !== null) {
    const next = current.nextSibling;
    parent.removeChild(current);
    current = next;
  }
}
