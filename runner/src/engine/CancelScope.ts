/** Something that can be told to stop. */
export interface Cancellable {
  cancel(reason: unknown): void;
}

/**
 * A node in the tree of cancellation: a run, an agent context, a call. Cancelling a scope cancels its
 * children. The `AbortSignal` users see is created only when read, so a call whose body never looks at
 * its signal costs no `AbortController`.
 *
 * Unlike `AbortSignal.any()`, a child scope is forgotten by its parent as soon as it is disposed, so a
 * long-lived parent does not retain its finished children.
 */
export class CancelScope implements Cancellable {
  aborted = false;
  reason: unknown = undefined;
  /**
   * Called first when the scope is cancelled (before the signal aborts and children are told), by the
   * default {@link CancelScope.cancelled}. Subclasses override `cancelled` instead, which costs no closure.
   */
  onCancel: ((reason: unknown) => void) | undefined = undefined;
  #controller: AbortController | undefined;
  // Most scopes have at most one child at a time (a call's attempt), so the first lives in a field and
  // a Set is made only for more.
  #onlyChild: Cancellable | undefined;
  #children: Set<Cancellable> | undefined;
  #parent: CancelScope | undefined;
  #followed: AbortSignal | undefined;

  constructor(parent?: CancelScope) {
    if (parent === undefined) return;
    if (parent.aborted) {
      this.aborted = true;
      this.reason = parent.reason;
    } else {
      this.#parent = parent;
      parent.add(this);
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

  add(child: Cancellable): void {
    if (this.#onlyChild === undefined && this.#children === undefined) this.#onlyChild = child;
    else (this.#children ??= new Set()).add(child);
  }

  remove(child: Cancellable): void {
    if (this.#onlyChild === child) this.#onlyChild = undefined;
    else this.#children?.delete(child);
  }

  /** Cancels the scope and its children with `reason`; a second call does nothing. */
  cancel(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.cancelled(reason);
    this.#controller?.abort(reason);
    const only = this.#onlyChild;
    const children = this.#children;
    this.#onlyChild = undefined;
    this.#children = undefined;
    only?.cancel(reason);
    if (children !== undefined) for (const child of children) child.cancel(reason);
  }

  /** Reacts to this scope's cancellation before anything else hears of it. */
  protected cancelled(reason: unknown): void {
    this.onCancel?.(reason);
  }

  /** Cancels this scope when `signal` aborts (at once if it already has), until {@link dispose}. */
  follow(signal: AbortSignal): void {
    if (signal.aborted) {
      this.cancel(signal.reason);
      return;
    }
    this.#followed = signal;
    signal.addEventListener('abort', this, { once: true });
  }

  /** Listener for a followed signal. */
  handleEvent(): void {
    const signal = this.#followed;
    this.#followed = undefined;
    if (signal !== undefined) this.cancel(signal.reason);
  }

  /** Detaches the scope from its parent and from a followed signal. Its children stay attached to it. */
  dispose(): void {
    this.#parent?.remove(this);
    this.#parent = undefined;
    if (this.#followed !== undefined) {
      this.#followed.removeEventListener('abort', this);
      this.#followed = undefined;
    }
    this.onCancel = undefined;
  }

  /** Open children (for tests and leak checks). */
  get childCount(): number {
    return (this.#onlyChild === undefined ? 0 : 1) + (this.#children?.size ?? 0);
  }
}
