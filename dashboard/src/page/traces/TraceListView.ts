import type { TraceSummary } from '@overlap/shared';
import { element } from '../dom/element.js';
import { formatClock, } from '../format/formatValue.js';
import { formatDuration } from '../format/formatDuration.js';

/** What the trace list reports. */
export interface TraceListViewHandlers {
  /** The user picked a trace (click, Enter, or arrow keys). */
  onSelect(traceId: string): void;
  /** The user turned "follow latest" on or off. */
  onFollowChange(follow: boolean): void;
  /** The user ticked or unticked a trace for comparison (its "compare" box). */
  onCompareToggle(traceId: string, checked: boolean): void;
}

/**
 * The trace list: one option per trace, newest first, with its agent (or root span) name, start time,
 * wall time, span count and errors. A listbox: arrow keys, Home and End move the selection, and the
 * selected trace is the one drawn. Each item has a "compare" box, as Jaeger UI's search results do: tick
 * two and compare them. Items are reused between updates, so a live list stays cheap.
 *
 * @example
 * ```ts
 * const view = new TraceListView(listElement, followCheckbox, { onSelect, onFollowChange });
 * view.render(model.traces, selectedId);
 * ```
 */
export class TraceListView {
  private readonly items = new Map<string, { item: HTMLLIElement; key: string }>();
  private selectedId: string | undefined;
  private compareIds: readonly string[] = [];

  constructor(
    private readonly list: HTMLElement,
    private readonly follow: HTMLInputElement,
    private readonly count: HTMLElement,
    private readonly handlers: TraceListViewHandlers,
  ) {
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Traces, newest first');
    list.tabIndex = 0;
    list.addEventListener('change', (event) => {
      const box = event.target as HTMLInputElement | null;
      const traceId = box?.closest('li[data-trace-id]')?.getAttribute('data-trace-id');
      if (box?.classList.contains('trace-compare') && traceId) handlers.onCompareToggle(traceId, box.checked);
    });
    list.addEventListener('click', (event) => {
      // The compare box only ticks; it does not open the trace.
      if ((event.target as Element | null)?.closest('.trace-compare-label')) return;
      const item = (event.target as Element | null)?.closest('li[data-trace-id]');
      const traceId = item?.getAttribute('data-trace-id');
      if (traceId) handlers.onSelect(traceId);
    });
    list.addEventListener('keydown', (event) => this.onKey(event));
    follow.addEventListener('change', () => handlers.onFollowChange(follow.checked));
  }

  /** Shows whether "follow latest" is on. */
  setFollow(follow: boolean): void {
    this.follow.checked = follow;
  }

  /** Shows these traces, in this order, with `selectedId` selected. */
  render(traces: readonly TraceSummary[], selectedId: string | undefined): void {
    const keep = new Set<string>();
    let previous: Element | null = null;
    for (const summary of traces) {
      keep.add(summary.traceId);
      const key = itemKey(summary);
      let entry = this.items.get(summary.traceId);
      if (entry === undefined || entry.key !== key) {
        const item = renderItem(summary, this.compareIds.includes(summary.traceId));
        if (entry !== undefined) entry.item.replaceWith(item);
        entry = { item, key };
        this.items.set(summary.traceId, entry);
      }
      const expected: Element | null = previous === null ? this.list.firstElementChild : previous.nextElementSibling;
      if (expected !== entry.item) {
        if (previous === null) this.list.prepend(entry.item);
        else previous.after(entry.item);
      }
      previous = entry.item;
    }
    for (const [traceId, entry] of this.items) {
      if (!keep.has(traceId)) {
        entry.item.remove();
        this.items.delete(traceId);
      }
    }
    this.count.textContent = traces.length === 1 ? '1 trace' : `${traces.length} traces`;
    this.select(selectedId);
  }

  /** Ticks the compare boxes of these traces (and unticks every other). */
  setCompare(traceIds: readonly string[]): void {
    this.compareIds = traceIds;
    for (const [traceId, { item }] of this.items) {
      const box = item.querySelector<HTMLInputElement>('input.trace-compare');
      if (box !== null) box.checked = traceIds.includes(traceId);
    }
  }

  /** Marks a trace as selected (and active for assistive technology). */
  select(traceId: string | undefined): void {
    if (this.selectedId !== undefined) this.items.get(this.selectedId)?.item.setAttribute('aria-selected', 'false');
    this.selectedId = traceId;
    const entry = traceId === undefined ? undefined : this.items.get(traceId);
    if (entry === undefined) {
      this.list.removeAttribute('aria-activedescendant');
      return;
    }
    entry.item.setAttribute('aria-selected', 'true');
    this.list.setAttribute('aria-activedescendant', entry.item.id);
  }

  private onKey(event: KeyboardEvent): void {
    const ids = [...this.list.querySelectorAll('li[data-trace-id]')].map((item) => item.getAttribute('data-trace-id')!);
    if (ids.length === 0) return;
    const current = this.selectedId === undefined ? -1 : ids.indexOf(this.selectedId);
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = Math.min(ids.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = ids.length - 1;
    else if (event.key === 'Enter' && current >= 0) next = current;
    if (next === undefined) return;
    event.preventDefault();
    const traceId = ids[next]!;
    this.handlers.onSelect(traceId);
    this.items.get(traceId)?.item.scrollIntoView({ block: 'nearest' });
  }
}

/** What an item shows; an item is rebuilt only when this changes. */
function itemKey(summary: TraceSummary): string {
  return `${summary.agentName ?? ''}\u0000${summary.rootName}\u0000${summary.wallMs}\u0000${summary.spanCount}\u0000${summary.errorCount}\u0000${summary.timeoutCount}\u0000${summary.inFlightCount}\u0000${summary.droppedSpans ?? 0}`;
}

function renderItem(summary: TraceSummary, compare: boolean): HTMLLIElement {
  const name = summary.agentName ?? (summary.rootName !== '' ? summary.rootName : `trace ${summary.traceId.slice(0, 8)}`);
  const badges: HTMLElement[] = [];
  if (summary.inFlightCount > 0) badges.push(element('span', { className: 'badge badge-live', text: 'live', attrs: { title: `${summary.inFlightCount} span(s) in flight` } }));
  if (summary.errorCount > 0) badges.push(element('span', { className: 'badge badge-error', text: `${summary.errorCount} error${summary.errorCount === 1 ? '' : 's'}` }));
  if ((summary.droppedSpans ?? 0) > 0) {
    badges.push(element('span', { className: 'badge badge-error', text: `${summary.droppedSpans} dropped`, attrs: { title: `${summary.droppedSpans} span(s) dropped: the trace reached the server's --max-spans-per-trace` } }));
  }
  if (summary.timeoutCount > 0) badges.push(element('span', { className: 'badge badge-timeout', text: `${summary.timeoutCount} timeout${summary.timeoutCount === 1 ? '' : 's'}` }));
  return element('li', { className: 'trace-item', attrs: { role: 'option', id: `trace-${summary.traceId}`, 'data-trace-id': summary.traceId, 'aria-selected': 'false' } }, [
    element('div', { className: 'trace-item-top' }, [
      element('label', { className: 'trace-compare-label', attrs: { title: 'Tick two traces to compare them' } }, [
        element('input', { className: 'trace-compare', attrs: { type: 'checkbox', 'aria-label': `Compare ${name} (${summary.traceId.slice(0, 8)})`, ...(compare ? { checked: '' } : {}) } }),
      ]),
      element('span', { className: 'trace-name', text: name, attrs: { title: summary.rootName } }),
      element('span', { className: 'trace-wall', text: formatDuration(summary.wallMs) }),
    ]),
    element('div', { className: 'trace-item-bottom' }, [
      element('span', { className: 'trace-start', text: formatClock(summary.startMs) }),
      element('span', { className: 'trace-spans', text: `${summary.spanCount} span${summary.spanCount === 1 ? '' : 's'}` }),
      ...badges,
    ]),
  ]);
}
