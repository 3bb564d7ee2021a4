// fast-check arbitraries for the page's model tests: an Overlap-shaped trace (agent root, tool calls
// with queue and abandoned phase spans, nested calls, orphans, shared ids) and the order its spans
// arrive in live: batches, some spans first in flight and later ended, duplicates repeated.
import fc from 'fast-check';
import type { SpanRecord } from '@overlap/shared';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';

const BASE_NANOS = 1_764_072_000_000_000_000n;
const TRACE_ID = '5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed';

/** One span to generate, before ids are assigned. */
interface SpanPlan {
  /** Index of the parent in the plan (-1: root; -2: an orphan whose parent never arrives). */
  parent: number;
  startUs: number;
  durationUs: number;
  kind: 'agent' | 'call' | 'queue' | 'abandoned' | 'plain';
  inFlight: boolean;
  /** Reuse the span id of an earlier span (a different span with the same id). */
  shareIdWith: number | undefined;
  outcome: 'ok' | 'error' | 'timeout';
}

const planArbitrary = (index: number): fc.Arbitrary<SpanPlan> =>
  fc.record({
    parent: index === 0 ? fc.constant(-1) : fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: index - 1 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, -2) }),
    startUs: fc.integer({ min: 0, max: 2_000_000 }),
    durationUs: fc.integer({ min: 0, max: 500_000 }),
    kind: fc.constantFrom<SpanPlan['kind']>('call', 'call', 'queue', 'queue', 'abandoned', 'plain'),
    inFlight: fc.boolean(),
    shareIdWith: fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: index === 0 ? fc.constant(undefined) : fc.integer({ min: 0, max: index - 1 }) }),
    outcome: fc.constantFrom<SpanPlan['outcome']>('ok', 'ok', 'error', 'timeout'),
  });

function spanId(index: number): string {
  return `a${(index + 1).toString(16).padStart(15, '0')}`;
}

function toSpans(plans: readonly SpanPlan[]): SpanRecord[] {
  const ids = plans.map((plan, index) => (plan.shareIdWith === undefined ? spanId(index) : spanId(plan.shareIdWith)));
  return plans.map((plan, index) => {
    const parentSpanId = plan.parent === -1 ? undefined : plan.parent === -2 ? 'ffffffffffffffff' : ids[plan.parent];
    const start = BASE_NANOS + BigInt(plan.startUs) * 1000n + BigInt(index % 7);
    const kind = index === 0 ? 'agent' : plan.kind;
    const attributes: SpanRecord['attributes'] =
      kind === 'agent'
        ? { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: 'a' }
        : kind === 'call'
          ? { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: `t${index % 3}`, [OverlapAttributes.GATE]: ['g'], [OverlapAttributes.OUTCOME]: plan.outcome, [OverlapAttributes.ATTEMPT]: index % 4 === 0 ? 2 : 1 }
          : kind === 'queue'
            ? { [OverlapAttributes.PHASE]: 'queue', [OverlapAttributes.GATE]: 'g' }
            : kind === 'abandoned'
              ? { [OverlapAttributes.PHASE]: 'abandoned', [OverlapAttributes.BODY_SETTLED]: plan.outcome === 'ok' }
              : {};
    const record: SpanRecord = {
      traceId: TRACE_ID,
      spanId: ids[index]!,
      name: `${kind} ${index}`,
      kind: 'internal',
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + BigInt(plan.durationUs) * 1000n).toString(),
      attributes,
      events:
        kind === 'call' && index % 3 === 0
          ? [
              { name: OverlapEvents.RETRY_BACKOFF, timeUnixNano: (start + 1000n).toString(), attributes: { [OverlapAttributes.RETRY_DELAY_MS]: 0.5 } },
              { name: OverlapEvents.ATTEMPT_START, timeUnixNano: (start + 501_000n).toString(), attributes: { [OverlapAttributes.ATTEMPT]: 2 } },
            ]
          : [],
      links: [],
      status: plan.outcome === 'error' ? { code: 'error', message: 'boom' } : { code: 'unset' },
      resource: { serviceName: 'svc', attributes: {} },
      scope: { name: 'test' },
    };
    if (parentSpanId !== undefined) record.parentSpanId = parentSpanId;
    return record;
  });
}

/** What {@link liveTraceArbitrary} generates. */
export interface LiveTrace {
  /** The final version of every span. */
  readonly spans: readonly SpanRecord[];
  /** The batches in arrival order (in-flight versions, ended versions, repeats). */
  readonly batches: ReadonlyArray<readonly SpanRecord[]>;
  /** A time after every span's start and end, ms since the epoch (where in-flight bars end). */
  readonly nowMs: number;
}

/** A trace of 1 to `maxSpans` spans and the batches it arrives in. */
export function liveTraceArbitrary(maxSpans = 24): fc.Arbitrary<LiveTrace> {
  return fc
    .integer({ min: 1, max: maxSpans })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => planArbitrary(index))))
    .chain((plans) => {
      const spans = toSpans(plans);
      // Deliveries: the in-flight version (when planned) and the ended version of each span, or only an
      // in-flight version for spans still running at the end.
      const deliveries: Array<{ span: SpanRecord; order: number }> = [];
      return fc
        .tuple(
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: spans.length * 2, maxLength: spans.length * 2 }),
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: spans.length * 2, maxLength: spans.length * 2 }),
          fc.array(fc.boolean(), { minLength: spans.length, maxLength: spans.length }),
        )
        .map(([orders, sizes, stillRunning]) => {
          spans.forEach((span, index) => {
            const early = orders[index * 2]!;
            const late = orders[index * 2 + 1]!;
            const { endTimeUnixNano: _end, ...started } = span;
            if (plans[index]!.inFlight) deliveries.push({ span: started, order: Math.min(early, late) });
            if (!(plans[index]!.inFlight && stillRunning[index])) deliveries.push({ span, order: Math.max(early, late) });
          });
          deliveries.sort((a, b) => a.order - b.order);
          const batches: SpanRecord[][] = [];
          let at = 0;
          let sizeIndex = 0;
          while (at < deliveries.length) {
            const size = sizes[sizeIndex++ % sizes.length]!;
            batches.push(deliveries.slice(at, at + size).map((delivery) => delivery.span));
            at += size;
          }
          return { spans, batches, nowMs: Number((BASE_NANOS + 3_000_000_000n) / 1_000_000n) };
        });
    });
}
