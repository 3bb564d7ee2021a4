import { describe, expect, it } from 'vitest';
import { findExample } from '../src/index.js';
import { SPAN_SKEW_MS, Trace, durationMs, endsBefore, inStartOrder, interval, overlap, startUpstream, tracedRunner } from './helpers.js';

/** Generous slack for timer and event-loop delays on a busy machine. */
const SLACK_MS = 60;

describe('knowledge-base example', () => {
  it('run() - the concurrent runs overlap their lookups, the extra one costs no time, the sequential one overlaps nothing', async () => {
    const upstream = await startUpstream({ latencyScale: 0.3 });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('knowledge-base')!.run({ runner, upstreamUrl: upstream.url });

    expect(result.runs.map((r) => [r.agent, r.label, r.error])).toEqual([
      ['knowledge_base_agent', 'concurrent', undefined],
      ['knowledge_base_agent_plus_profile', 'concurrent + get_user_profile', undefined],
      ['knowledge_base_agent_sequential', 'sequential', undefined],
    ]);
    const [concurrent, plusProfile, sequential] = result.runs.map((r) => Trace.of(recorder, r.traceId));

    // The gather of each run: its lookups, then the model call once they have all answered.
    const lookups = (trace: Trace) => trace.calls.filter((s) => s.name.startsWith('execute_tool '));
    const chat = (trace: Trace) => trace.one('chat upstream-general');
    for (const trace of [concurrent!, plusProfile!, sequential!]) {
      for (const lookup of lookups(trace)) expect(endsBefore(lookup, chat(trace))).toBe(true);
    }

    // concurrent: search_kb and get_user_status overlap.
    expect(overlap(concurrent!.one('execute_tool search_kb'), concurrent!.one('execute_tool get_user_status'))).toBe(true);

    // concurrent + profile: all three overlap, and the gather lasts as long as its slowest lookup.
    const three = lookups(plusProfile!);
    expect(three.map((s) => s.name).sort()).toEqual(['execute_tool get_user_profile', 'execute_tool get_user_status', 'execute_tool search_kb']);
    for (const a of three) for (const b of three) if (a !== b) expect(overlap(a, b)).toBe(true);
    const gatherMs = interval(chat(plusProfile!)).start - interval(plusProfile!.root).start;
    expect(gatherMs).toBeLessThanOrEqual(Math.max(...three.map(durationMs)) + SLACK_MS);

    // sequential: each lookup starts after the previous one ended, so the gather is their sum.
    const inOrder = inStartOrder(lookups(sequential!));
    expect(inOrder.map((s) => s.name)).toEqual(['execute_tool search_kb', 'execute_tool get_user_status']);
    expect(overlap(inOrder[0]!, inOrder[1]!)).toBe(false);
    const sequentialGatherMs = interval(chat(sequential!)).start - interval(sequential!.root).start;
    expect(sequentialGatherMs).toBeGreaterThanOrEqual(durationMs(inOrder[0]!) + durationMs(inOrder[1]!) - 2 * SPAN_SKEW_MS);
    expect(recorder.open.size).toBe(0);
  }, 15_000);
});
