import type { Disposer } from '../Disposer.js';

/** A listener list of one event type. Emitting with no listener costs one length check. */
export class EventChannel<T> {
  #listeners: Array<(event: T) => void> = [];

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

  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  emit(event: T): void {
    // The array is replaced, never changed, so a listener that disposes itself does not skip another.
    for (const listener of this.#listeners) listener(event);
  }
}
