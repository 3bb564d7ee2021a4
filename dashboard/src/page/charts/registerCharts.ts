import { BarController, BarElement, Chart, Decimation, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip } from 'chart.js';

let registered = false;

/**
 * Registers the chart.js parts the page uses (floating bars, scatter markers, step lines, linear
 * scales, decimation, legend and tooltips) once; the rest of chart.js is left out of the bundle.
 *
 * @example
 * ```ts
 * registerCharts();
 * new Chart(canvas, config);
 * ```
 */
export function registerCharts(): void {
  if (registered) return;
  Chart.register(BarController, BarElement, ScatterController, LineController, LineElement, PointElement, LinearScale, Decimation, Legend, Tooltip);
  Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font-ui').trim() || 'system-ui, sans-serif';
  Chart.defaults.color = '#4a5361';
  registered = true;
}
