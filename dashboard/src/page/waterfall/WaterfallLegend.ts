import { element } from '../dom/element.js';
import { CRITICAL_PATH_COLOR, FAILED_RUN_COLOR, IN_FLIGHT_RUN_COLOR, MARKER_STYLES, SEGMENT_STYLES } from '../theme/palette.js';

/**
 * Fills the legend: what each bar colour and marker means, in the colours the chart uses.
 *
 * @example
 * ```ts
 * renderWaterfallLegend(document.getElementById('legend')!);
 * ```
 */
export function renderWaterfallLegend(container: HTMLElement): void {
  const swatch = (color: string, label: string, description: string, className = 'swatch'): HTMLElement =>
    element('li', { attrs: { title: description } }, [
      element('span', { className, style: { background: color }, attrs: { 'aria-hidden': 'true' } }),
      element('span', { className: 'legend-label', text: label }),
      element('span', { className: 'legend-description', text: ` — ${description}` }),
    ]);
  const glyph = (color: string, symbol: string, label: string, description: string): HTMLElement =>
    element('li', { attrs: { title: description } }, [
      element('span', { className: 'glyph', text: symbol, style: { color }, attrs: { 'aria-hidden': 'true' } }),
      element('span', { className: 'legend-label', text: label }),
      element('span', { className: 'legend-description', text: ` — ${description}` }),
    ]);
  container.replaceChildren(
    element('ul', { className: 'legend-list' }, [
      swatch(SEGMENT_STYLES.queue.color, SEGMENT_STYLES.queue.label, SEGMENT_STYLES.queue.description),
      swatch(SEGMENT_STYLES.run.color, SEGMENT_STYLES.run.label, SEGMENT_STYLES.run.description),
      swatch(IN_FLIGHT_RUN_COLOR, 'in flight', 'still running: the bar grows until the span ends'),
      swatch(FAILED_RUN_COLOR, 'failed', 'ended in error, timeout or rejection'),
      swatch(SEGMENT_STYLES.backoff.color, SEGMENT_STYLES.backoff.label, SEGMENT_STYLES.backoff.description),
      swatch(SEGMENT_STYLES.abandoned.color, SEGMENT_STYLES.abandoned.label, SEGMENT_STYLES.abandoned.description),
      swatch(CRITICAL_PATH_COLOR, 'critical path', 'the chain of work that decided when the trace ended', 'swatch swatch-line'),
      ...Object.values(MARKER_STYLES).map((style) => glyph(style.color, style.glyph, style.label, style.description)),
    ]),
  );
}
