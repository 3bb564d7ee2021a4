import { SignalFollowers, type FollowNode } from './SignalFollowers.js';

/**
 * A node in the tree of cancellation: a run, an agent context, a call. Cancelling a scope cancels its
 * children. The `AbortSignal` users see is created only when read, so a call whose body never looks at
 * its signal costs no `AbortController`.
 *
 * Unlike `AbortSignal.any()`, a child scope is forgotten by its parent as soon as it is disposed, so a
 * long-lived parent does not retain its finished children. Children are an intrusive list (each scope
 * holds its siblings), so a run with 100,000 open calls adds and removes them in O(1) with no hash table.
 */
export class CancelScope {
  aborted = false;
  reason: unknown = undefined;
  /**
   * Called first when the scope is cancelled (before the signal aborts and children are told), by the
   * default {@link CancelScope.cancelled}. Subclasses override `cancelled` instead, which costs no closure.
   */
  onCancel: ((reason: unknown) => void) | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #parent: CancelScope | undefined = undefined;
  #prevSibling: CancelScope | undefined = undefined;
  #nextSibling: CancelScope | undefined = undefined;
  #firstChild: CancelScope | undefined = undefined;
  #lastChild: CancelScope | undefined = undefined;
  #followed: FollowNode | undefined = undefined;

  constructor(parent?: CancelScope) {
    if (parent === undefined) return;
    if (parent.aborted) {
      this.aborted = true;
      this.reason = parent.reason;
    } else {
      this.#parent = parent;
      this.#prevSibling = parent.#lastChild;
      if (parent.#lastChild === undefined) parent.#firstChild = this;
      else parent.#lastChild.#nextSibling = this;
      parent.#lastChild = this;
    }
  }

  /** The scope's signal, aborted with the scope's reason when the scope is cancelled. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** Cancels the scope and its children with `reason`; a second call does nothing. */
  cancel(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.cancelled(reason);
    this.#controller?.abort(reason);
    // The children are detached first: one that disposes itself while its siblings are told (as a
    // settling call does) finds its parent aborted and leaves the list as it is.
    let child = this.#firstChild;
    this.#firstChild = undefined;
    this.#lastChild = undefined;
    while (child !== undefined) {
      const next = child.#nextSibling;
      child.#parent = undefined;
      child.#prevSibling = undefined;
      child.#nextSibling = undefined;
      child.cancel(reason);
      child = next;
    }
  }

  /** Reacts to this scope's cancellation before anything else hears of it. */
  protected cancelled(reason: unknown): void {
    this.onCancel?.(reason);
  }

  /**
   * Cancels this scope when `signal` aborts (at once if it already has), until {@link dispose}. However
   * many scopes follow one signal, it gets one listener (see {@link SignalFollowers}).
   */
  follow(signal: AbortSignal): void {
    if (signal.aborted) {
      this.cancel(signal.reason);
      return;
    }
    this.#followed = SignalFollowers.follow(signal, this);
  }

  /** Detaches the scope from its parent and from a followed signal. Its children stay attached to it. */
  dispose(): void {
    const parent = this.#parent;
    // A parent that was cancelled has let go of its children already (see `cancel`).
    if (parent !== undefined && !parent.aborted) {
      const prev = this.#prevSibling;
      const next = this.#nextSibling;
      if (prev === undefined) parent.#firstChild = next;
      else prev.#nextSibling = next;
      if (next === undefined) parent.#lastChild = prev;
      else next.#prevSibling = prev;
      this.#prevSibling = undefined;
      this.#nextSibling = undefined;
    }
    this.#parent = undefined;
    if (this.#followed !== undefined) {
      SignalFollowers.unfollow(this.#followed);
      this.#followed = undefined;
    }
    this.onCancel = undefined;
  }

  /** Open children (for tests and leak checks). */
  get childCount(): number {
    let count = 0;
    for (let child = this.#firstChild; child !== undefined; child = child.#nextSibling) count += 1;
    return count;
  }
}
