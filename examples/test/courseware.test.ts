import { describe, expect, it } from 'vitest';
import { findExample } from '../src/index.js';
import { Trace, endsBefore, overlap, startUpstream, tracedRunner } from './helpers.js';
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';

describe('courseware example', () => {
  it('run() - gathers its four sources at once, then generates', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder } = tracedRunner();
    const result = await findExample('courseware')!.run({ runner, upstreamUrl: upstream.url }, { timeoutMs: 700 });

    const [run] = result.runs;
    expect(run).toMatchObject({ agent: 'courseware_agent' });
    expect(run!.error).toBeUndefined();
    expect(run!.output).toMatchObject({ materials: 3, sections: ['objectives', 'explanation', 'exercises', 'summary'] });

    const trace = Trace.of(recorder, run!.traceId);
    const sources = ['search_kb', 'fetch_course_materials', 'get_user_profile', 'prefetch_template'].map((n) => trace.one(`execute_tool ${n}`));
    for (const a of sources) for (const b of sources) if (a !== b) expect(overlap(a, b)).toBe(true);
    for (const s of sources) expect(s.attributes[OverlapAttributes.TIMEOUT_MS]).toBe(700);
    const generate = trace.one('chat upstream-general');
    for (const s of sources) expect(endsBefore(s, generate)).toBe(true);
    expect(generate.attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
    expect(recorder.open.size).toBe(0);
  }, 15_000);
});
