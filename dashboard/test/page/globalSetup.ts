// Builds the page (and shared, if stale) once, before any test file loads either build.
import { ensurePageBuilt } from './pageHarness.js';

export default function setup(): void {
  ensurePageBuilt();
}
