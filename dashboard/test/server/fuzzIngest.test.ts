// The fast part of the reliability suite's fuzzing (bench/hostile.bench.ts runs a million inputs through
// the decoder and ten thousand over HTTP): the same hostile bodies, fewer of them.
import fc from 'fast-check';
import type { TraceResponse } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepBody, decodeOutcome, fuzzBody, hugeBody } from './otlpFuzzInputs.js';
import { getJson, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { probe } from './httpProbe.js';

const SEED = 20_261_125;

describe('decodeOtlpBody() under fuzzing', () => {
  it('decodeOtlpBody() - accepts or refuses (400) every hostile body, and throws nothing else', () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fuzzBody({ maxDepth: 2000, maxHugeChars: 128 * 1024 }), (input) => {
        kinds.add(input.kind);
        decodeOutcome(input);
      }),
      { numRuns: 4000, seed: SEED },
    );
    // Every cheap kind came up.
    expect(kinds.size).toBeGreaterThanOrEqual(10);
  });

  it('decodeOtlpBody() - refuses or rejects bodies nested up to 20,000 deep without overflowing the stack', () => {
    fc.assert(
      fc.property(deepBody(20_000), (input) => {
        decodeOutcome(input);
      }),
      { numRuns: 40, seed: SEED },
    );
  });

  it('decodeOtlpBody() - takes strings of megabytes', () => {
    fc.assert(
      fc.property(hugeBody(2 * 1024 * 1024), (input) => {
        expect(decodeOutcome(input)).toBe('accepted');
      }),
      { numRuns: 6, seed: SEED },
    );
  });
});

describe('POST /v1/traces under fuzzing', () => {
  let running: RunningServer;
  const seeded = newTraceId();

  beforeAll(async () => {
    running = await startServer({ maxTraces: 100_000, maxSpans: 1_000_000 });
    expect((await postSpans(running.url, [spanRecord({ traceId: seeded, name: 'seeded' })])).status).toBe(200);
  });
  afterAll(async () => {
    await running.close();
  });

  it('POST /v1/traces - answers every hostile body 200 or 400 as the decoder decides, never 5xx, and loses nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzBody({ maxDepth: 2000, maxHugeChars: 128 * 1024 }), async (input) => {
        const answer = await probe(`${running.url}v1/traces`, {
          method: 'POST',
          headers: { 'content-type': input.encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json' },
          body: Buffer.from(input.body),
        });
        expect(answer.status).toBe(decodeOutcome(input) === 'accepted' ? 200 : 400);
      }),
      { numRuns: 300, seed: SEED },
    );
    const trace = await getJson<TraceResponse>(`${running.url}api/traces/${seeded}`);
    expect(trace.body.spans.map((s) => s.name)).toEqual(['seeded']);
  });
});
