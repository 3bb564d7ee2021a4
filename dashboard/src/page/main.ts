/**
 * The dashboard page's entry point: reads the page's configuration and starts the page. Loaded by
 * `index.html`'s bootstrap, which takes the page's `?token=` out of the address bar and leaves it in
 * `window.__overlapPageToken`.
 */
import { DashboardPage } from './DashboardPage.js';
import { readPageConfig } from './api/pageConfig.js';

declare global {
  interface Window {
    /** The token the page was opened with, set by `index.html` (the address bar no longer shows it). */
    __overlapPageToken?: string;
  }
}

const config = readPageConfig(new URL(window.location.href), window.__overlapPageToken);
// The worker sits beside this bundle in assets/, which the server serves without a token.
const workerUrl = new URL('./analysis-worker.js', import.meta.url);
const page = new DashboardPage(config, workerUrl);
void page.start();
