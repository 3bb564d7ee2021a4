import type { WaterfallRow } from '@overlap/shared';
import { element } from '../dom/element.js';
import { rowFacts, segmentLines } from '../details/spanFacts.js';

/**
 * The floating tooltip of a waterfall row: name, timings and the bar's segments and markers, as text.
 *
 * @example
 * ```ts
 * tooltip.show(row, layout.startMs, event.clientX, event.clientY);
 * ```
 */
export class WaterfallTooltip {
  private shownId: string | undefined;
  private shownEndMs = Number.NaN;

  constructor(readonly element: HTMLDivElement) {}

  /** Shows the row's facts near the pointer. */
  show(row: WaterfallRow, originMs: number, clientX: number, clientY: number): void {
    if (row.spanId !== this.shownId || row.endMs !== this.shownEndMs) {
      this.shownId = row.spanId;
      this.shownEndMs = row.endMs;
      this.element.replaceChildren(
        element('strong', { className: 'tt-name', text: row.label }),
        element(
          'dl',
          { className: 'facts' },
          rowFacts(row).flatMap((fact) => [element('dt', { text: fact.term }), element('dd', { text: fact.value })]),
        ),
        element('ul', { className: 'lines' }, segmentLines(row, originMs).map((text) => element('li', { text }))),
      );
    }
    this.element.hidden = false;
    const { innerWidth, innerHeight } = window;
    const box = this.element.getBoundingClientRect();
    const left = clientX + 16 + box.width > innerWidth ? clientX - 16 - box.width : clientX + 16;
    const top = clientY + 16 + box.height > innerHeight ? Math.max(4, innerHeight - box.height - 4) : clientY + 16;
    this.element.style.left = `${Math.max(4, left)}px`;
    this.element.style.top = `${top}px`;
  }

  /** Hides the tooltip. */
  hide(): void {
    this.element.hidden = true;
    this.shownId = undefined;
  }
}
