/** Steps of the live time axis within each power of ten. */
const STEPS = [1, 1.5, 2, 3, 4, 5, 7.5] as const;
/** Room left at the right of the newest bar when the axis steps up. */
const HEADROOM = 1.1;

/**
 * The time range, in ms, of the waterfall's axis while its trace is live: the trace's length so far
 * with a tenth to spare, rounded up to the next of 1, 1.5, 2, 3, 4, 5 or 7.5 × 10^k ms. The axis (and with it
 * every bar's scale) then changes only when the trace outgrows it, each time by at most 1.5×, instead of
 * on every frame: redrawing the axis and rescaling every bar 30 times a second is most of a live frame's
 * work, and the bars hold still while they grow.
 *
 * @example
 * ```ts
 * liveAxisMs(1_234); // 1_500
 * liveAxisMs(1_400); // 2_000 (1_400 × 1.1 = 1_540)
 * ```
 */
export function liveAxisMs(lengthMs: number): number {
  const wanted = Math.max(lengthMs, 1) * HEADROOM;
  let power = 10 ** Math.floor(Math.log10(wanted));
  for (;;) {
    for (const step of STEPS) if (step * power >= wanted) return step * power;
    power *= 10;
  }
}
