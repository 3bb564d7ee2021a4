/**
 * A status line for long work. On a terminal it rewrites itself in place a few times a second; when
 * output is a file or a pipe it prints a line only when the text changes, at most once a second, so
 * logs stay readable.
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #render: () => string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = '';
  #lastPrintedAt = 0;

  constructor(stream: NodeJS.WriteStream, render: () => string) {
    this.#stream = stream;
    this.#render = render;
  }

  start(): void {
    this.#draw(true);
    this.#timer = setInterval(() => this.#draw(false), this.#stream.isTTY ? 200 : 1000);
    this.#timer.unref();
  }

  /** Draws the final state and leaves the line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw(true);
    if (this.#stream.isTTY) this.#stream.write('\n');
  }

  #draw(force: boolean): void {
    const text = this.#render();
    if (this.#stream.isTTY) {
      this.#stream.write(`\r\x1b[2K${text}`);
      return;
    }
    if (text === this.#last && !force) return;
    if (!force && Date.now() - this.#lastPrintedAt < 1000) return;
    if (text === this.#last) return;
    this.#last = text;
    this.#lastPrintedAt = Date.now();
    this.#stream.write(`${text}\n`);
  }
}
