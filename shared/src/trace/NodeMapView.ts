import type { TraceNode } from './assembleTrace.js';

/**
 * A read-only map by span id that reads one field of each node of a trace, built without copying: the
 * trace's `spans`, `children`, `parents` and `depth` are views of its `nodes`, so assembling a trace
 * fills one map instead of five. Behaves as a `ReadonlyMap` (it is not a `Map` instance: copy it with
 * `new Map(view)` when a `Map` is needed).
 *
 * Invariant: the nodes map it reads is never changed after the view is made.
 */
export class NodeMapView<V> implements ReadonlyMap<string, V> {
  readonly #nodes: ReadonlyMap<string, TraceNode>;
  readonly #read: (node: TraceNode) => V | undefined;
  #size: number | undefined;

  /**
   * @param nodes - the trace's nodes by span id.
   * @param read - the value of a node, or `undefined` when the view has no entry for it.
   */
  constructor(nodes: ReadonlyMap<string, TraceNode>, read: (node: TraceNode) => V | undefined) {
    this.#nodes = nodes;
    this.#read = read;
  }

  get size(): number {
    if (this.#size === undefined) {
      let size = 0;
      for (const node of this.#nodes.values()) if (this.#read(node) !== undefined) size += 1;
      this.#size = size;
    }
    return this.#size;
  }

  get(key: string): V | undefined {
    const node = this.#nodes.get(key);
    return node === undefined ? undefined : this.#read(node);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this) callback.call(thisArg, value, key, this);
  }

  *entries(): MapIterator<[string, V]> {
    for (const [key, node] of this.#nodes) {
      const value = this.#read(node);
      if (value !== undefined) yield [key, value];
    }
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}
