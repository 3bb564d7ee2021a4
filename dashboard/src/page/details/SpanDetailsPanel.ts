import type { SpanRecord, WaterfallRow } from '@overlap/shared';
import { element } from '../dom/element.js';
import { attributeFacts, eventLines, rowFacts, segmentLines } from './spanFacts.js';
import type { Fact } from './spanFacts.js';

/**
 * The details panel: everything one span carries (ids, times, segments, markers, attributes, events,
 * resource, scope, links), as text. It follows the hovered row; a click pins a span so it stays while
 * the pointer moves on ("Unpin" or Escape lets it follow again).
 *
 * @example
 * ```ts
 * const panel = new SpanDetailsPanel(container, () => waterfall.setPinned(undefined));
 * panel.show(row, span, layout.startMs, false);
 * ```
 */
export class SpanDetailsPanel {
  private pinnedId: string | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly onUnpin: () => void,
  ) {
    this.clear();
  }

  /** The pinned span's id, if any. */
  get pinned(): string | undefined {
    return this.pinnedId;
  }

  /** Shows a span; `pin` keeps it shown until unpinned. A hovered span does not replace a pinned one. */
  show(row: WaterfallRow, span: SpanRecord | undefined, originMs: number, pin: boolean): void {
    if (!pin && this.pinnedId !== undefined) return;
    this.pinnedId = pin ? row.spanId : undefined;
    const children: Node[] = [
      element('div', { className: 'details-head' }, [
        element('h3', { className: 'details-name', text: row.name }),
        pin ? element('button', { className: 'details-unpin', text: 'Unpin', attrs: { type: 'button', title: 'Unpin (Escape)' } }) : element('span', { className: 'details-hint', text: 'click a row to pin' }),
      ]),
      factList([{ term: 'span id', value: row.spanId }, ...(row.parentSpanId === undefined ? [] : [{ term: 'parent', value: row.parentSpanId }]), ...rowFacts(row)]),
      section('Bar', lines(segmentLines(row, originMs))),
    ];
    if (span !== undefined) {
      if (span.status.code === 'error' || span.status.message !== undefined) children.push(section('Status', factList([{ term: span.status.code, value: span.status.message ?? '' }])));
      children.push(section('Attributes', factList(attributeFacts(span.attributes))));
      if (span.events.length > 0) children.push(section('Events', lines(eventLines(span))));
      children.push(section('Resource', factList(attributeFacts(span.resource.attributes))));
      children.push(section('Scope', factList([{ term: 'name', value: span.scope.name }, ...(span.scope.version === undefined ? [] : [{ term: 'version', value: span.scope.version }])])));
      if (span.links.length > 0) children.push(section('Links', lines(span.links.map((link) => `${link.traceId} / ${link.spanId}`))));
    }
    this.container.replaceChildren(...children);
    this.container.classList.toggle('pinned', pin);
    const unpin = this.container.querySelector('.details-unpin');
    unpin?.addEventListener('click', () => this.unpin());
  }

  /** Lets the panel follow the hovered row again. */
  unpin(): void {
    if (this.pinnedId === undefined) return;
    this.pinnedId = undefined;
    this.container.classList.remove('pinned');
    this.onUnpin();
  }

  /** Shows the panel's empty state. */
  clear(): void {
    this.pinnedId = undefined;
    this.container.classList.remove('pinned');
    this.container.replaceChildren(element('p', { className: 'details-empty', text: 'Hover a row to see its span; click to pin it here.' }));
  }
}

function factList(facts: readonly Fact[]): HTMLElement {
  if (facts.length === 0) return element('p', { className: 'details-none', text: 'none' });
  return element(
    'dl',
    { className: 'facts' },
    facts.flatMap((fact) => [element('dt', { text: fact.term }), element('dd', { text: fact.value })]),
  );
}

function lines(texts: readonly string[]): HTMLElement {
  return element('ul', { className: 'lines' }, texts.map((text) => element('li', { text })));
}

function section(title: string, body: HTMLElement): HTMLElement {
  return element('section', { className: 'details-section' }, [element('h4', { text: title }), body]);
}
