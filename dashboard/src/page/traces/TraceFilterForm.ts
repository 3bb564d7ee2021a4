import { Outcome } from '@overlap/shared';
import { element } from '../dom/element.js';
import type { TraceListFilter } from '../route/pageRoute.js';

/** What the filter form reports. */
export interface TraceFilterFormHandlers {
  /** The user changed the filter (a field was changed and left, Enter, or "Clear"). */
  onChange(filter: TraceListFilter): void;
}

/**
 * The trace list's filter: agent, service, outcome, minimum duration and a time range (from, to). A
 * change is reported when a field is committed (its `change` event: picked, or typed and left), so the
 * list is not reloaded at every keystroke. Times are entered in local time and reported as ISO dates.
 *
 * @example
 * ```ts
 * const form = new TraceFilterForm(container, { onChange: (filter) => page.setFilter(filter) });
 * form.set(route.filter);
 * ```
 */
export class TraceFilterForm {
  private readonly form: HTMLFormElement;
  private readonly agent: HTMLInputElement;
  private readonly service: HTMLInputElement;
  private readonly outcome: HTMLSelectElement;
  private readonly minDuration: HTMLInputElement;
  private readonly since: HTMLInputElement;
  private readonly until: HTMLInputElement;
  private readonly clear: HTMLButtonElement;
  private readonly count: HTMLElement;

  constructor(container: HTMLElement, private readonly handlers: TraceFilterFormHandlers) {
    const field = (label: string, input: HTMLElement, className = ''): HTMLElement =>
      element('label', { className: `filter-field ${className}`.trim() }, [element('span', { className: 'filter-label', text: label }), input]);
    this.agent = element('input', { attrs: { id: 'filter-agent', type: 'text', name: 'agent', placeholder: 'any', autocomplete: 'off', spellcheck: 'false' } });
    this.service = element('input', { attrs: { id: 'filter-service', type: 'text', name: 'service', placeholder: 'any', autocomplete: 'off', spellcheck: 'false' } });
    this.outcome = element('select', { attrs: { id: 'filter-outcome', name: 'outcome' } }, [
      element('option', { text: 'any', attrs: { value: '' } }),
      ...Object.values(Outcome).map((outcome) => element('option', { text: outcome, attrs: { value: outcome } })),
    ]);
    this.minDuration = element('input', { attrs: { id: 'filter-min-duration', type: 'number', name: 'minDurationMs', min: '0', step: '1', placeholder: 'ms', inputmode: 'numeric' } });
    this.since = element('input', { attrs: { id: 'filter-since', type: 'datetime-local', name: 'since', step: '1' } });
    this.until = element('input', { attrs: { id: 'filter-until', type: 'datetime-local', name: 'until', step: '1' } });
    this.clear = element('button', { className: 'filter-clear', text: 'Clear', attrs: { type: 'button' } });
    this.count = element('span', { className: 'filter-active muted', attrs: { 'aria-live': 'polite' } });
    this.form = element('form', { className: 'trace-filter', attrs: { 'aria-label': 'Filter the traces', novalidate: '' } }, [
      field('Agent name', this.agent),
      field('Service', this.service),
      field('Outcome', this.outcome),
      field('Min duration (ms)', this.minDuration),
      field('From', this.since, 'filter-time'),
      field('To', this.until, 'filter-time'),
      element('div', { className: 'filter-actions' }, [this.count, this.clear]),
    ]);
    container.replaceChildren(this.form);
    this.form.addEventListener('change', () => this.handlers.onChange(this.read()));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.handlers.onChange(this.read());
    });
    this.clear.addEventListener('click', () => {
      this.set({});
      this.handlers.onChange({});
    });
  }

  /** Shows a filter (from the URL), without reporting it. */
  set(filter: TraceListFilter): void {
    this.agent.value = filter.agent ?? '';
    this.service.value = filter.service ?? '';
    this.outcome.value = filter.outcome ?? '';
    this.minDuration.value = filter.minDurationMs === undefined ? '' : String(filter.minDurationMs);
    this.since.value = toLocalInput(filter.since);
    this.until.value = toLocalInput(filter.until);
    const active = [filter.agent, filter.service, filter.outcome, filter.minDurationMs, filter.since, filter.until].filter((value) => value !== undefined).length;
    this.count.textContent = active === 0 ? '' : `${active} filter${active === 1 ? '' : 's'} on`;
    this.clear.disabled = active === 0;
  }

  /** The filter as the fields say now. */
  read(): TraceListFilter {
    const filter: { -readonly [K in keyof TraceListFilter]: TraceListFilter[K] } = {};
    const agent = this.agent.value.trim();
    if (agent !== '') filter.agent = agent;
    const service = this.service.value.trim();
    if (service !== '') filter.service = service;
    if (this.outcome.value !== '') filter.outcome = this.outcome.value as Outcome;
    const minDuration = Number(this.minDuration.value);
    if (this.minDuration.value.trim() !== '' && Number.isFinite(minDuration) && minDuration >= 0) filter.minDurationMs = minDuration;
    const since = fromLocalInput(this.since.value);
    if (since !== undefined) filter.since = since;
    const until = fromLocalInput(this.until.value);
    if (until !== undefined) filter.until = until;
    return filter;
  }
}

/** A `datetime-local` value (local time) as an ISO date, or undefined when empty or invalid. */
function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** An ISO date or epoch milliseconds as a `datetime-local` value, in local time to the second. */
function toLocalInput(value: string | undefined): string {
  if (value === undefined) return '';
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) return '';
  const date = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
