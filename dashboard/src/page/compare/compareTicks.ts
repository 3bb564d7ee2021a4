/**
 * Where the comparison's time axis has ticks: from 0 to `scaleMs` in round steps (1, 2 or 5 times a power
 * of ten) so that there are at most `maxTicks`, 0 included. Both waterfalls use the same ticks: one scale.
 *
 * @example
 * ```ts
 * compareTicks(1850); // [0, 500, 1000, 1500]
 * compareTicks(40, 6); // [0, 10, 20, 30, 40]
 * ```
 */
export function compareTicks(scaleMs: number, maxTicks = 6): number[] {
  if (!(scaleMs > 0) || !Number.isFinite(scaleMs)) return [0];
  const rough = scaleMs / Math.max(1, maxTicks - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => scaleMs / candidate <= maxTicks - 1) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = 0; i * step <= scaleMs + step * 1e-9 && ticks.length < maxTicks; i++) ticks.push(Math.round(i * step * 1e6) / 1e6);
  return ticks;
}
