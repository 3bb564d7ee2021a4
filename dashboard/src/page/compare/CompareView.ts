import { comparisonTable } from '@overlap/shared';
import type { AlignedCallRow, CompareResponse, ComparedCall, TraceSummary } from '@overlap/shared';
import { element } from '../dom/element.js';
import { formatAxisTick, formatDuration } from '../format/formatDuration.js';
import { formatClock } from '../format/formatValue.js';
import { FAILED_RUN_COLOR, SEGMENT_STYLES } from '../theme/palette.js';
import { compareTicks } from './compareTicks.js';

/** What the comparison view reports. */
export interface CompareViewHandlers {
  /** "Swap A and B". */
  onSwap(): void;
  /** "Close": back to a single trace. */
  onClose(): void;
  /** A link to one of the two traces, for the page to open as its own route. */
  traceHref(traceId: string): string;
  /** The user followed that link (a plain click: the page navigates itself). */
  onOpenTrace(traceId: string): void;
}

/**
 * Two runs side by side, A the baseline: a table of the run figures (wall time, sum of calls,
 * concurrency saved, queue time, retries, timeouts, critical path) and the per-tool calls, p50 and p95,
 * each with B's difference (absolute and %), the cells `comparisonTable` writes (the same `overlap
 * compare` prints); below, the two waterfalls row by row on one time scale, each call beside its
 * partner in the other run (matched by tool and order, see `compareTraces`), and calls only one run
 * made marked as such. Everything drawn comes from one `GET /api/compare` answer.
 *
 * @example
 * ```ts
 * const view = new CompareView(section, handlers);
 * view.show(await api.compare(a, b));
 * ```
 */
export class CompareView {
  private shown: CompareResponse | undefined;

  constructor(private readonly container: HTMLElement, private readonly handlers: CompareViewHandlers) {}

  /** The comparison on screen (for the test hook). */
  get comparison(): CompareResponse | undefined {
    return this.shown;
  }

  /** Says the comparison is loading. */
  showLoading(a: string, b: string): void {
    this.shown = undefined;
    this.container.replaceChildren(this.head(), element('p', { className: 'compare-message', text: `Comparing ${a.slice(0, 8)}… with ${b.slice(0, 8)}…` }));
  }

  /** Says why there is no comparison (a trace not found, the server unreachable). */
  showError(message: string): void {
    this.shown = undefined;
    this.container.replaceChildren(this.head(), element('p', { className: 'compare-message compare-error', text: message, attrs: { role: 'alert' } }));
  }

  /** Draws a comparison. */
  show(comparison: CompareResponse): void {
    this.shown = comparison;
    const table = comparisonTable(comparison);
    this.container.replaceChildren(
      this.head(),
      element('div', { className: 'compare-runs' }, [this.runCard('A', comparison.a), this.runCard('B', comparison.b)]),
      element('div', { className: 'compare-tables' }, [
        figureTable('compare-figures', 'Run figures', table.headings, table.runRows),
        figureTable('compare-tools', 'Per tool', ['per tool', ...table.headings.slice(1)], table.toolRows),
      ]),
      this.waterfalls(comparison),
    );
  }

  private head(): HTMLElement {
    const swap = element('button', { className: 'compare-swap', text: 'Swap A and B', attrs: { type: 'button' } });
    const close = element('button', { className: 'compare-close', text: 'Close', attrs: { type: 'button' } });
    swap.addEventListener('click', () => this.handlers.onSwap());
    close.addEventListener('click', () => this.handlers.onClose());
    return element('div', { className: 'compare-head' }, [element('h2', { text: 'Compare runs', attrs: { id: 'compare-heading' } }), element('div', { className: 'compare-buttons' }, [swap, close])]);
  }

  private runCard(side: 'A' | 'B', summary: TraceSummary): HTMLElement {
    const name = summary.agentName ?? (summary.rootName === '' ? `trace ${summary.traceId.slice(0, 8)}` : summary.rootName);
    const link = element('a', { className: 'compare-trace-link', text: name, attrs: { href: this.handlers.traceHref(summary.traceId), 'data-trace-id': summary.traceId } });
    link.addEventListener('click', (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      this.handlers.onOpenTrace(summary.traceId);
    });
    return element('div', { className: `compare-run compare-run-${side.toLowerCase()}`, attrs: { 'data-side': side.toLowerCase() } }, [
      element('span', { className: 'compare-side', text: side }),
      link,
      element('span', { className: 'muted', text: ` ${formatClock(summary.startMs)} · ${formatDuration(summary.wallMs)} · ${summary.spanCount} spans · ${summary.traceId}` }),
    ]);
  }

  private waterfalls(comparison: CompareResponse): HTMLElement {
    const scaleMs = Math.max(comparison.scaleMs, 1);
    const ticks = compareTicks(scaleMs);
    const axis = (): HTMLElement =>
      element(
        'div',
        { className: 'compare-track compare-axis' },
        // A label near the end reads leftwards, so it stays within its own track.
        ticks.map((tickMs) =>
          element('span', { className: `compare-tick${tickMs / scaleMs > 0.8 ? ' compare-tick-end' : ''}`, text: formatAxisTick(tickMs, scaleMs), style: { left: `${(tickMs / scaleMs) * 100}%` } }),
        ),
      );
    const header = element('div', { className: 'compare-row compare-row-head' }, [element('span', { className: 'compare-label', text: '' }), axis(), axis()]);
    const runRow = element('div', { className: 'compare-row compare-row-run', attrs: { 'data-tool': '(whole run)' } }, [
      element('span', { className: 'compare-label', text: 'whole run' }),
      runTrack(comparison.a, scaleMs),
      runTrack(comparison.b, scaleMs),
    ]);
    return element('section', { className: 'compare-waterfall', attrs: { 'aria-label': 'The two waterfalls, call by call, on one time scale' } }, [
      element('h3', { text: `Calls, row by row (one scale: 0 to ${formatDuration(scaleMs)})` }),
      element('div', { className: 'compare-row compare-row-sides' }, [element('span', { className: 'compare-label', text: '' }), element('span', { className: 'compare-side-title', text: 'A' }), element('span', { className: 'compare-side-title', text: 'B' })]),
      header,
      runRow,
      ...comparison.rows.map((row) => callRow(row, scaleMs)),
    ]);
  }
}

function figureTable(className: string, caption: string, headings: readonly string[], rows: ReadonlyArray<readonly string[]>): HTMLTableElement {
  return element('table', { className: `compare-table ${className}` }, [
    element('caption', { text: caption }),
    element('thead', {}, [element('tr', {}, headings.map((heading, i) => element('th', { text: heading, attrs: { scope: 'col', class: i > 0 ? 'num' : undefined } })))]),
    element(
      'tbody',
      {},
      rows.map((row) =>
        element(
          'tr',
          { attrs: { 'data-figure': row[0] } },
          row.map((cell, i) =>
            i === 0
              ? element('th', { text: cell, attrs: { scope: 'row' } })
              : element('td', { className: i === 3 ? `num diff ${diffClass(cell)}` : 'num', text: cell }),
          ),
        ),
      ),
    ),
  ]);
}

/** `diff-down` for a fall, `diff-up` for a rise: the sign, not a judgement (fewer retries and more concurrency saved are both good). */
function diffClass(cell: string): string {
  return cell.startsWith('-') ? 'diff-down' : cell.startsWith('+') ? 'diff-up' : 'diff-none';
}

function runTrack(summary: TraceSummary, scaleMs: number): HTMLElement {
  return element('div', { className: 'compare-track' }, [
    element('span', {
      className: 'compare-bar compare-bar-run',
      style: { left: '0%', width: `${(summary.wallMs / scaleMs) * 100}%` },
      attrs: { title: `${formatDuration(summary.wallMs)}`, 'data-offset-ms': '0', 'data-duration-ms': String(summary.wallMs) },
    }),
  ]);
}

function callRow(row: AlignedCallRow, scaleMs: number): HTMLElement {
  const side = row.a !== null && row.b !== null ? 'both' : row.a !== null ? 'a' : 'b';
  const label = `${row.tool}${row.occurrence > 1 ? ` #${row.occurrence}` : ''}`;
  return element('div', { className: `compare-row compare-row-call${side === 'both' ? '' : ' compare-one-sided'}`, attrs: { 'data-tool': row.tool, 'data-occurrence': String(row.occurrence), 'data-side': side } }, [
    element('span', { className: 'compare-label', text: label, attrs: { title: side === 'both' && row.durationDiffMs !== null ? `B − A: ${row.durationDiffMs >= 0 ? '+' : ''}${formatDuration(row.durationDiffMs)}` : label } }),
    callTrack(row.a, 'A', scaleMs),
    callTrack(row.b, 'B', scaleMs),
  ]);
}

function callTrack(call: ComparedCall | null, side: 'A' | 'B', scaleMs: number): HTMLElement {
  if (call === null) {
    return element('div', { className: 'compare-track compare-track-missing', attrs: { 'data-run': side.toLowerCase() } }, [
      element('span', { className: 'compare-missing', text: `not in ${side}: only in ${side === 'A' ? 'B' : 'A'}` }),
    ]);
  }
  const failed = call.outcome === 'error' || call.outcome === 'timeout' || call.outcome === 'rejected';
  const bar = element('span', {
    className: `compare-bar${failed ? ' compare-bar-failed' : ''}`,
    style: { left: `${(call.offsetMs / scaleMs) * 100}%`, width: `${(Math.max(call.durationMs, 0) / scaleMs) * 100}%` },
    attrs: {
      title: `${call.name}: ${formatDuration(call.durationMs)}${call.queueMs > 0 ? `, queued ${formatDuration(call.queueMs)}` : ''}${call.attempts > 1 ? `, ${call.attempts} attempts` : ''}${call.outcome === undefined ? ', in flight' : `, ${call.outcome}`}`,
      'data-span-id': call.spanId,
      'data-offset-ms': String(call.offsetMs),
      'data-duration-ms': String(call.durationMs),
      'data-outcome': call.outcome,
    },
  });
  const span = Math.max(call.durationMs, 1e-9);
  for (const segment of call.segments) {
    bar.append(
      element('span', {
        className: `compare-segment compare-segment-${segment.kind}`,
        style: {
          left: `${((segment.startMs - call.offsetMs) / span) * 100}%`,
          width: `${((segment.endMs - segment.startMs) / span) * 100}%`,
          background: segment.kind === 'run' && failed ? FAILED_RUN_COLOR : SEGMENT_STYLES[segment.kind].color,
        },
      }),
    );
  }
  return element('div', { className: 'compare-track', attrs: { 'data-run': side.toLowerCase() } }, [bar]);
}
