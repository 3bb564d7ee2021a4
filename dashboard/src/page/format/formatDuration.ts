/**
 * A duration in milliseconds as short text with a unit: `0.42 ms`, `8.5 ms`, `120 ms`, `1.25 s`,
 * `2 min 5 s`. `NaN` and infinities read as `–` (no data), negative durations keep their sign.
 *
 * @example
 * ```ts
 * formatDuration(1234.5); // '1.23 s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${trimZeros(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${trimZeros(ms < 9995 ? (ms / 1000).toFixed(2) : '10')} s`;
  if (ms < 60_000) return `${trimZeros((ms / 1000).toFixed(1))} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/**
 * A tick label for a time axis whose whole range is `rangeMs`: the same unit on every tick (ms below
 * 2 s, seconds below 2 minutes, minutes above), so labels line up.
 *
 * @example
 * ```ts
 * formatAxisTick(1500, 4000); // '1.5 s'
 * ```
 */
export function formatAxisTick(valueMs: number, rangeMs: number): string {
  if (!Number.isFinite(valueMs)) return '';
  if (rangeMs < 2000) return `${trimZeros(valueMs.toFixed(rangeMs < 20 ? 2 : rangeMs < 200 ? 1 : 0))} ms`;
  if (rangeMs < 120_000) return `${trimZeros((valueMs / 1000).toFixed(rangeMs < 20_000 ? 2 : 1))} s`;
  return `${trimZeros((valueMs / 60_000).toFixed(1))} min`;
}

/** A ratio as a speed-up factor: `3.4×`, `12×`. */
export function formatFactor(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return ratio < 10 ? `${ratio.toFixed(1)}×` : `${Math.round(ratio)}×`;
}

/** A rate from 0 to 1 as a percentage: `0%`, `2.5%`, `40%`. */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return '–';
  const percent = rate * 100;
  return `${percent === 0 || percent >= 10 ? Math.round(percent) : trimZeros(percent.toFixed(1))}%`;
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
