/**
 * Removes the listener it was returned for. Calling it twice does nothing.
 *
 * @example
 * ```ts
 * const dispose = pool.onAcquire(({ waitMs }) => waits.push(waitMs));
 * // ...
 * dispose();
 * ```
 */
export type Disposer = () => void;
