import type { ToolStats } from '@overlap/shared';
import { element } from '../dom/element.js';
import { formatDuration, formatRate } from '../format/formatDuration.js';

/**
 * The per-tool latency table: for each tool (and model), calls, p50/p95/p99 of their durations, the
 * p50/p95 of their queue waits, error and timeout rates, and the models' tokens, from `toolStats`.
 *
 * @example
 * ```ts
 * new ToolStatsTable(section).show(analysis.tools, 'this trace');
 * ```
 */
export class ToolStatsTable {
  private readonly body: HTMLTableSectionElement;
  private readonly caption: HTMLTableCaptionElement;

  constructor(container: HTMLElement) {
    this.caption = element('caption', { text: 'Per-tool latency' });
    const head = element('thead', {}, [
      element(
        'tr',
        {},
        ['tool', 'kind', 'calls', 'p50', 'p95', 'p99', 'queue p50', 'queue p95', 'errors', 'timeouts', 'tokens in / out'].map((text) => element('th', { text, attrs: { scope: 'col' } })),
      ),
    ]);
    this.body = element('tbody');
    container.append(element('table', { className: 'tool-table' }, [this.caption, head, this.body]));
  }

  /** Shows figures; `scope` says what they cover ("this trace", "all 42 traces"). */
  show(tools: readonly ToolStats[], scope: string): void {
    this.caption.textContent = `Per-tool latency — ${scope}`;
    if (tools.length === 0) {
      this.body.replaceChildren(element('tr', {}, [element('td', { text: 'No ended tool or model calls.', attrs: { colspan: '11' } })]));
      return;
    }
    this.body.replaceChildren(
      ...tools.map((tool) =>
        element('tr', {}, [
          element('th', { text: tool.tool, attrs: { scope: 'row' } }),
          element('td', { text: tool.operation === 'chat' ? 'model' : 'tool' }),
          element('td', { className: 'num', text: String(tool.count) }),
          element('td', { className: 'num', text: formatDuration(tool.durationMs.p50) }),
          element('td', { className: 'num', text: formatDuration(tool.durationMs.p95) }),
          element('td', { className: 'num', text: formatDuration(tool.durationMs.p99) }),
          element('td', { className: 'num', text: formatDuration(tool.queueWaitMs.p50) }),
          element('td', { className: 'num', text: formatDuration(tool.queueWaitMs.p95) }),
          element('td', { className: 'num', text: formatRate(tool.errorRate) }),
          element('td', { className: 'num', text: formatRate(tool.timeoutRate) }),
          element('td', { className: 'num', text: tool.tokens.input > 0 || tool.tokens.output > 0 ? `${tool.tokens.input} / ${tool.tokens.output}` : '—' }),
        ]),
      ),
    );
  }
}
