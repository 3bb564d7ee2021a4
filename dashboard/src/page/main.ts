/**
 * The dashboard page's entry point: reads the page's configuration from its URL and starts the page.
 * Loaded by `index.html`'s bootstrap, which passes the page's `?token=` on to this script's URL.
 */
import { DashboardPage } from './DashboardPage.js';
import { readPageConfig, withToken } from './api/pageConfig.js';

const config = readPageConfig(new URL(window.location.href));
// The worker sits beside this bundle in assets/; the server wants the token on every request.
const workerUrl = withToken(new URL('./analysis-worker.js', import.meta.url), config.token);
const page = new DashboardPage(config, workerUrl);
void page.start();
