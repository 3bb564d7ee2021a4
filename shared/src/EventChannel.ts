/** Removes the listener it was returned for. Calling it twice does nothing. */
export type Disposer = () => void;

/**
 * A listener list of one event type, with disposers: the one listener helper of every Overlap package
 * (the dashboard's store and runner registry, the runner's gates). Emitting with no listener costs one
 * length check. A listener that throws does not stop the others: its error goes to `onError` when one
 * is given, and is thrown after every listener has run otherwise.
 *
 * @example
 * ```ts
 * const changes = new EventChannel<{ traceId: string }>();
 * const dispose = changes.on(({ traceId }) => console.log(traceId));
 * changes.emit({ traceId: 'a' });
 * dispose();
 * ```
 */
export class EventChannel<T> {
  #listeners: ReadonlyArray<(event: T) => void> = [];
  readonly #onError: ((error: unknown) => void) | undefined;

  constructor(options: { onError?: (error: unknown) => void } = {}) {
    this.#onError = options.onError;
  }

  /** Adds a listener; returns its disposer. */
  on(listener: (event: T) => void): Disposer {
    this.#listeners = [...this.#listeners, listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Whether any listener is attached. */
  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  /** Calls every listener attached now, in the order they were added. */
  emit(event: T): void {
    // The array is replaced, never changed, so a listener that disposes itself does not skip another.
    let failure: { error: unknown } | undefined;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        if (this.#onError !== undefined) this.#onError(error);
        else failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
