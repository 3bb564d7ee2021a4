// The renewal schedule of the shared gates, on a clock the test drives (no Redis needed).
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/index.js';
import { LeaseRenewal } from '../../src/redis/engine/LeaseRenewal.js';

/** A clock whose timers fire when the test says, `earlyMs` before their delay is up (as Node's can, by up to 2 ms). */
function manualClock(earlyMs = 0) {
  let nowMs = 0;
  let timers: Array<{ at: number; callback: () => void }> = [];
  const clock: Clock = {
    now: () => nowMs,
    setTimeout: (callback, delayMs) => {
      const timer = { at: nowMs + delayMs - earlyMs, callback };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((timer) => timer !== handle);
    },
  };
  return {
    clock,
    get pending() {
      return timers.length;
    },
    /** Moves time on to `ms`, firing the timers due by then in order. */
    advanceTo(ms: number): void {
      for (let fired = 0; ; fired += 1) {
        if (fired > 1000) throw new Error('a timer keeps setting itself for the same moment');
        const next = [...timers].sort((a, b) => a.at - b.at)[0];
        if (next === undefined || next.at > ms) break;
        timers = timers.filter((timer) => timer !== next);
        nowMs = Math.max(nowMs, next.at);
        next.callback();
      }
      nowMs = ms;
    },
  };
}

describe('LeaseRenewal', () => {
  it('.schedule() - a renewal timer that fires early (as Node timers do) still renews, and the next one is set', () => {
    const time = manualClock(1.7);
    const due: boolean[] = [];
    const renewal = new LeaseRenewal(time.clock, 3000, 1000, (renew) => {
      due.push(renew);
      // What the gate does on a renewal: send it, note when, and set the next timer.
      if (renew || renewal.isDue(time.clock.now(), false)) renewal.renewed(time.clock.now());
      renewal.schedule(true, false, -1);
    });
    renewal.startFrom(0);
    renewal.schedule(true, false, -1);
    time.advanceTo(10_000);
    // Every 1,000 ms (a third of the TTL), each timer fired 1.7 ms early and still renewed.
    expect(due).toEqual([true, true, true, true, true, true, true, true, true, true]);
    expect(renewal.armed).toBe(true);
    renewal.stop();
    expect(time.pending).toBe(0);
  });

  it('.isDue() - a look before the renewal is due is not a renewal', () => {
    const time = manualClock();
    const renewal = new LeaseRenewal(time.clock, 3000, 1000, () => undefined);
    renewal.renewed(0);
    expect(renewal.isDue(500, false)).toBe(false);
    expect(renewal.isDue(999.5, false)).toBe(true);
    // While waiters queue, places are renewed at the poll interval if it is shorter.
    expect(renewal.isDue(700, true)).toBe(false);
    expect(new LeaseRenewal(time.clock, 3000, 600, () => undefined).intervalMs(true)).toBe(600);
  });

  it('.startFrom() - counts a lease from when the command that made it was sent, not from when its answer was read', () => {
    const time = manualClock();
    const due: boolean[] = [];
    const renewal = new LeaseRenewal(time.clock, 3000, 1000, (renew) => due.push(renew));
    // `enter` sent at 0; the event loop was busy and read the grant at 800.
    time.advanceTo(800);
    renewal.startFrom(0);
    renewal.schedule(true, false, -1);
    time.advanceTo(999);
    expect(due).toEqual([]);
    time.advanceTo(1000);
    expect(due).toEqual([true]);
  });

  it('.schedule() - fires sooner for a light look when a token or lease is due for a waiter, and stops with nothing held or waiting', () => {
    const time = manualClock();
    const due: boolean[] = [];
    const renewal = new LeaseRenewal(time.clock, 3000, 1000, (renew) => due.push(renew));
    renewal.startFrom(0);
    renewal.schedule(false, true, 250);
    time.advanceTo(250);
    expect(due).toEqual([false]);
    renewal.schedule(false, true, -1);
    time.advanceTo(1000);
    expect(due).toEqual([false, true]);
    renewal.schedule(false, false, -1);
    expect(renewal.armed).toBe(false);
    expect(time.pending).toBe(0);
  });
});
