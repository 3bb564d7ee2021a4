// Issue 11's probes from a real Chromium page on another local origin, and from a page on a rebound name:
// in the default set-up every one is refused. The same probes write hostile.json's counts.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProbes, launchRebindingChromium, runCrossSiteProbes } from './crossSiteProbes.js';
import type { ProbeResult } from './crossSiteProbes.js';

let browser: Browser;
let results: ProbeResult[];

beforeAll(async () => {
  browser = await launchRebindingChromium();
  results = await runCrossSiteProbes({ browser });
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

describe('cross-site probes in Chromium', () => {
  it('another web site - cannot run an agent, import, forward, send spans, or open the live channel', () => {
    const foreign = results.filter((r) => r.group === 'foreign-origin');
    expect(foreign.filter((r) => !r.refused)).toEqual([]);
    expect(countProbes(results, 'foreign-origin')).toEqual({ tried: 9, refused: 9 });
  });

  it('DNS rebinding - a page on a rebound name reads nothing, runs nothing and opens no socket', () => {
    expect(results.filter((r) => r.group === 'rebinding' && !r.refused)).toEqual([]);
    expect(countProbes(results, 'rebinding')).toEqual({ tried: 8, refused: 8 });
  });

  it('exposure - no token-less start on 0.0.0.0, a token-protected exposure refuses a foreign page, the token leaves the address bar', () => {
    expect(results.filter((r) => r.group === 'exposure' && !r.refused)).toEqual([]);
    expect(countProbes(results, 'exposure').tried).toBeGreaterThanOrEqual(3);
  });
});
