import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeWindow, windowSize } from '../../src/page/waterfall/virtualWindow.js';

describe('placeWindow', () => {
  it('placeWindow() - always covers every visible row and stays inside the waterfall', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 10, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.option(fc.nat(100_000), { nil: undefined }),
        (rowCount, viewportPx, rowHeightPx, overscanRows, at, currentStart) => {
          const maxScroll = Math.max(0, rowCount * rowHeightPx - viewportPx);
          const scrollTopPx = Math.floor(at * maxScroll);
          const placed = placeWindow({ scrollTopPx, viewportPx, rowHeightPx, rowCount, overscanRows, currentStart });
          const firstVisible = Math.floor(scrollTopPx / rowHeightPx);
          const endVisible = Math.min(rowCount, Math.ceil((scrollTopPx + viewportPx) / rowHeightPx));

          expect(placed.size).toBe(windowSize(viewportPx, rowHeightPx, overscanRows));
          expect(placed.start).toBeGreaterThanOrEqual(0);
          expect(placed.start).toBeLessThanOrEqual(Math.max(0, rowCount - placed.size));
          if (endVisible > firstVisible) {
            expect(placed.start).toBeLessThanOrEqual(firstVisible);
            expect(placed.start + placed.size).toBeGreaterThanOrEqual(endVisible);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('placeWindow() - keeps the current window while it still covers the viewport', () => {
    const geometry = { viewportPx: 440, rowHeightPx: 22, rowCount: 50_000, overscanRows: 10 };
    const first = placeWindow({ ...geometry, scrollTopPx: 22 * 1000 });
    expect(first.start).toBe(990);

    expect(placeWindow({ ...geometry, scrollTopPx: 22 * 1005, currentStart: first.start }).start).toBe(990);
    expect(placeWindow({ ...geometry, scrollTopPx: 22 * 1020, currentStart: first.start }).start).toBe(1010);
  });
});
