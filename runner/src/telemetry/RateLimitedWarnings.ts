/**
 * Passes warnings on, each distinct kind at most once per `intervalMs`, with how many were held back,
 * so a collector that is down for an hour costs a line every few seconds, not a flood.
 */
export class RateLimitedWarnings {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    readonly sink: (message: string) => void,
    readonly intervalMs = 10_000,
  ) {}

  /** Warns `message`; `kind` groups repeats (defaults to the message). */
  warn(message: string, kind: string = message): void {
    const now = Date.now();
    const entry = this.#last.get(kind);
    if (entry !== undefined && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#last.set(kind, { at: now, suppressed: 0 });
    this.sink(suppressed > 0 ? `${message} (${suppressed} similar warning(s) held back)` : message);
  }
}
