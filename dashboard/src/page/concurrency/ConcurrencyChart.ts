import { Chart } from 'chart.js';
import type { ChartDataset } from 'chart.js';
import type { ConcurrencySeries, ConcurrencyTimeline } from '@overlap/shared';
import { element } from '../dom/element.js';
import { registerCharts } from '../charts/registerCharts.js';
import { SERIES_COLORS } from '../theme/palette.js';
import { timeTickLabel } from '../waterfall/timeAxis.js';

/** Most gates drawn; the rest are named in the text summary. */
const MAX_GATES_DRAWN = 8;

type StepPoint = { x: number; y: number };

/**
 * The concurrency timeline: for each gate, how many calls held it (solid line) and waited for it
 * (dashed) over the trace's time, from `concurrencyTimeline`, as step lines, so a semaphore's limit and
 * its queue can be seen working. Without gates, calls in flight and queued overall. Below the chart, the
 * maxima as text.
 *
 * @example
 * ```ts
 * const chart = new ConcurrencyChart(section);
 * chart.show(analysis.timeline);
 * ```
 */
export class ConcurrencyChart {
  private readonly chart: Chart<'line', StepPoint[]>;
  private readonly summary: HTMLUListElement;

  constructor(container: HTMLElement) {
    registerCharts();
    const canvas = element('canvas', { attrs: { role: 'img', 'aria-label': 'Calls in flight and queued per gate over the trace\'s time' } });
    this.summary = element('ul', { className: 'concurrency-summary' });
    container.append(element('div', { className: 'concurrency-canvas' }, [canvas]), this.summary);
    this.chart = new Chart<'line', StepPoint[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, max: 1, ticks: { callback: timeTickLabel, maxRotation: 0, includeBounds: false, autoSkipPadding: 16 } },
          y: { type: 'linear', beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'calls' } },
        },
        plugins: {
          legend: { display: true, position: 'top', labels: { boxWidth: 18, boxHeight: 2 } },
          decimation: { enabled: true, algorithm: 'min-max' },
        },
        elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
      },
    });
  }

  /**
   * Draws a trace's timeline. With `live` (spans still in flight, so the series end at the analysis's
   * `nowMs`), the text also says how many hold and wait now, queued calls announced live included.
   */
  show(timeline: ConcurrencyTimeline, live = false): void {
    const originMs = timeline.startMs;
    const datasets: Array<ChartDataset<'line', StepPoint[]>> = [];
    const lines: string[] = [];
    const add = (label: string, series: ConcurrencySeries, colorIndex: number): void => {
      const color = SERIES_COLORS[colorIndex % SERIES_COLORS.length]!;
      datasets.push(stepDataset(`${label} in flight`, series, 'inFlight', originMs, color, []));
      if (series.maxQueued > 0) datasets.push(stepDataset(`${label} queued`, series, 'queued', originMs, color, [5, 3]));
    };
    if (timeline.gates.length === 0) {
      add('calls', timeline.overall, 0);
      const now = live ? countsNow(timeline.overall, timeline.endMs) : undefined;
      lines.push(
        `No gates in this trace: ${timeline.overall.callCount} call(s), at most ${timeline.overall.maxInFlight} in flight and ${timeline.overall.maxQueued} queued at once` +
          (now === undefined ? '.' : `; now ${now.inFlight} in flight, ${now.queued} queued.`),
      );
    } else {
      timeline.gates.forEach((gate, index) => {
        if (index < MAX_GATES_DRAWN) add(gate.gate, gate, index);
        const now = live ? countsNow(gate, timeline.endMs) : undefined;
        lines.push(
          `${gate.gate}${gate.kind === undefined ? '' : ` (${gate.kind})`}: ${gate.callCount} call(s), at most ${gate.maxInFlight} holding it and ${gate.maxQueued} waiting at once` +
            (now === undefined ? '' : `; now ${now.inFlight} holding it, ${now.queued} waiting`),
        );
      });
      if (timeline.gates.length > MAX_GATES_DRAWN) lines.push(`${timeline.gates.length - MAX_GATES_DRAWN} more gate(s) not drawn.`);
    }
    this.chart.data.datasets = datasets;
    this.chart.options.scales!.x!.max = Math.max(timeline.endMs - originMs, 1e-3);
    this.chart.update('none');
    this.summary.replaceChildren(...lines.map((text) => element('li', { text })));
  }

  /** Empties the chart. */
  clear(): void {
    this.chart.data.datasets = [];
    this.chart.update('none');
    this.summary.replaceChildren();
  }
}

/** The counts in effect just before `endMs` (a live series drops back to zero at its end, the analysis's now). */
function countsNow(series: ConcurrencySeries, endMs: number): { inFlight: number; queued: number } {
  let now = { inFlight: 0, queued: 0 };
  for (const point of series.points) {
    if (point.tMs >= endMs) break;
    now = point;
  }
  return now;
}

function stepDataset(label: string, series: ConcurrencySeries, field: 'inFlight' | 'queued', originMs: number, color: string, dash: number[]): ChartDataset<'line', StepPoint[]> {
  return {
    label,
    data: series.points.map((point) => ({ x: point.tMs - originMs, y: point[field] })),
    borderColor: color,
    backgroundColor: color,
    borderDash: dash,
    stepped: 'before',
    fill: false,
  };
}
