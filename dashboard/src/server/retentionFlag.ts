/** What `--retention` bounds: a number of traces, an age, or both. */
export interface Retention {
  /** Most traces kept. */
  maxTraces?: number;
  /** Longest a trace is kept after it last changed, in milliseconds. */
  maxAgeMs?: number;
}

const AGE_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads the value of `--retention`: comma-separated bounds, a whole number of traces (`10000`, or
 * `10000traces`) and/or an age with a unit, `s`, `m`, `h`, `d` or `w` (`30m`, `7d`), at most one of each.
 *
 * @throws {@link RangeError} saying what was expected (the CLI turns it into a usage error).
 *
 * @example
 * ```ts
 * parseRetention('10000,7d'); // { maxTraces: 10000, maxAgeMs: 604800000 }
 * parseRetention('12h'); // { maxAgeMs: 43200000 }
 * ```
 */
export function parseRetention(text: string): Retention {
  const retention: Retention = {};
  const parts = text.split(',').map((part) => part.trim());
  for (const part of parts) {
    const count = /^(\d+)\s*(?:traces?)?$/i.exec(part);
    const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(part);
    if (count !== null && retention.maxTraces === undefined && Number(count[1]) >= 1 && Number.isSafeInteger(Number(count[1]))) {
      retention.maxTraces = Number(count[1]);
    } else if (age !== null && retention.maxAgeMs === undefined && Number(age[1]) > 0) {
      retention.maxAgeMs = Number(age[1]) * AGE_UNITS_MS[age[2]!.toLowerCase()]!;
    } else {
      throw new RangeError('expected a number of traces (10000) and/or an age (30m, 12h, 7d, 2w), comma-separated, at most one of each.');
    }
  }
  return retention;
}
