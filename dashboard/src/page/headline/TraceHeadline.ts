import type { TraceSummary } from '@overlap/shared';
import { element } from '../dom/element.js';
import { formatDuration, formatFactor } from '../format/formatDuration.js';

/** Extra figures the headline shows beside the summary. */
export interface HeadlineExtras {
  /** Total length of the critical path, in ms, once known. */
  readonly criticalPathMs?: number | undefined;
  /** A note such as "evicted from the server's store". */
  readonly note?: string | undefined;
}

/**
 * The selected trace's headline: its name, wall time, the sum of its calls' durations, and
 * "concurrency saved X ms (Y×)" from `summarizeTrace`, with counts of errors, timeouts, retries,
 * spans in flight and the model calls' tokens.
 *
 * @example
 * ```ts
 * headline.show(analysis.summary, { criticalPathMs: 830 });
 * ```
 */
export class TraceHeadline {
  constructor(private readonly container: HTMLElement) {
    this.clear();
  }

  /** Shows a trace's figures. */
  show(summary: TraceSummary, extras: HeadlineExtras = {}): void {
    const title = summary.agentName ?? (summary.rootName !== '' ? summary.rootName : `trace ${summary.traceId}`);
    const figures: HTMLElement[] = [
      figure('wall time', formatDuration(summary.wallMs), 'from the first span\'s start to the last span\'s end'),
      figure(`sum of ${summary.callCount} call${summary.callCount === 1 ? '' : 's'}`, formatDuration(summary.sumOfCallsMs), 'the calls\' durations added up'),
      figure('concurrency saved', `${formatDuration(summary.concurrencySavedMs)} (${formatFactor(summary.speedup)})`, 'how much longer the calls would have taken one after another', 'figure-saved'),
    ];
    if (extras.criticalPathMs !== undefined) figures.push(figure('critical path', formatDuration(extras.criticalPathMs), 'time spent on the chain of work that decided the end'));
    const counts: string[] = [`${summary.spanCount} span${summary.spanCount === 1 ? '' : 's'}`];
    if (summary.errorCount > 0) counts.push(`${summary.errorCount} error${summary.errorCount === 1 ? '' : 's'}`);
    if (summary.timeoutCount > 0) counts.push(`${summary.timeoutCount} timeout${summary.timeoutCount === 1 ? '' : 's'}`);
    if (summary.cancelledCount > 0) counts.push(`${summary.cancelledCount} cancelled`);
    if (summary.retryCount > 0) counts.push(`${summary.retryCount} retr${summary.retryCount === 1 ? 'y' : 'ies'}`);
    if (summary.inFlightCount > 0) counts.push(`${summary.inFlightCount} in flight`);
    if (summary.inputTokens > 0 || summary.outputTokens > 0) counts.push(`${formatCount(summary.inputTokens)} tokens in, ${formatCount(summary.outputTokens)} out`);
    this.container.replaceChildren(
      element('div', { className: 'headline-title' }, [
        element('h2', { className: 'trace-title', text: title }),
        element('span', { className: 'trace-id', text: summary.traceId }),
      ]),
      element('div', { className: 'headline-figures' }, figures),
      element('p', { className: 'headline-counts', text: counts.join(' · ') }),
      ...(extras.note === undefined ? [] : [element('p', { className: 'headline-note', text: extras.note, attrs: { role: 'status' } })]),
    );
  }

  /** Shows the empty state. */
  clear(message = 'No trace selected.'): void {
    this.container.replaceChildren(element('h2', { className: 'trace-title muted', text: message }));
  }
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function figure(label: string, value: string, description: string, className = ''): HTMLElement {
  return element('div', { className: `figure ${className}`.trim(), attrs: { title: description } }, [
    element('span', { className: 'figure-value', text: value }),
    element('span', { className: 'figure-label', text: label }),
  ]);
}
