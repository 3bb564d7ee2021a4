import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { GenAiAttributes, OverlapAttributes, Phase, SpanNames } from '@overlap/shared';
import type { Gate } from '../gates/Gate.js';
import { Semaphore } from '../gates/Semaphore.js';
import type { Tool } from '../tool.js';
import { CircuitBreaker } from './CircuitBreaker.js';
import type { RunnerCore } from './RunnerCore.js';

/**
 * A tool's state inside one runner: its own concurrency semaphore, its circuit breaker, its gates in
 * acquisition order, and the span attributes that never change between its calls. Built on a tool's
 * first call from options `defineTool` already checked, so building it never throws.
 */
export class ToolRuntime {
  /** Gates in the order a call acquires them: holding gates by creation order, then pacing gates. */
  readonly gates: readonly Gate[];
  readonly breaker: CircuitBreaker | undefined;
  /**
   * Attributes a call span starts with, so that samplers see them: the operation and the tool's name
   * (or, for a model, its provider and model), as the GenAI conventions ask.
   */
  readonly startAttributes: Attributes;
  /**
   * The call span's other attributes that are the same for every call, set once the span has started:
   * the OpenTelemetry SDK checks an attribute passed at start twice and one set later once, so this
   * halves their cost.
   */
  readonly spanAttributes: ReadonlyArray<readonly [string, AttributeValue]>;
  /** Every attribute a call's span has from its start (`startAttributes` and `spanAttributes` together), for live notices. */
  readonly callAttributes: Attributes;
  /** Per gate (same order as `gates`): its queue span's name and the attributes every such span has. */
  readonly queueSpans: ReadonlyArray<{ readonly name: string; readonly attributes: ReadonlyArray<readonly [string, AttributeValue]> }>;

  constructor(
    readonly tool: Tool,
    /** The runner this state belongs to (a call reaches it through here rather than holding it too). */
    readonly core: RunnerCore,
  ) {
    const gates = [...tool.gates];
    if (tool.concurrency !== Infinity) {
      gates.push(new Semaphore({ name: `${tool.name}.concurrency`, permits: tool.concurrency, clock: core.clock }));
    }
    gates.sort((a, b) => (a.holdsPermits === b.holdsPermits ? a.order - b.order : a.holdsPermits ? -1 : 1));
    this.gates = Object.freeze(gates);
    this.breaker = tool.circuitBreaker && new CircuitBreaker(tool.circuitBreaker);
    const start: Attributes = { [GenAiAttributes.OPERATION_NAME]: tool.operation };
    const later: Array<readonly [string, AttributeValue]> = [];
    if (tool.operation === 'chat' && tool.model) {
      start[GenAiAttributes.REQUEST_MODEL] = tool.model.name;
      start[GenAiAttributes.PROVIDER_NAME] = tool.model.provider;
    } else {
      start[GenAiAttributes.TOOL_NAME] = tool.name;
      later.push([GenAiAttributes.TOOL_TYPE, tool.type]);
      if (tool.description !== undefined) later.push([GenAiAttributes.TOOL_DESCRIPTION, tool.description]);
    }
    if (tool.timeoutMs !== Infinity) later.push([OverlapAttributes.TIMEOUT_MS, tool.timeoutMs]);
    if (gates.length > 0) later.push([OverlapAttributes.GATE, Object.freeze(gates.map((g) => g.name)) as string[]]);
    this.startAttributes = Object.freeze(start);
    this.spanAttributes = Object.freeze(later);
    this.callAttributes = Object.freeze({ ...start, ...Object.fromEntries(later) });
    this.queueSpans = Object.freeze(
      gates.map((gate) => ({
        name: SpanNames.queue(gate.name),
        attributes: Object.freeze([
          [OverlapAttributes.PHASE, Phase.QUEUE],
          [OverlapAttributes.GATE, gate.name],
          [OverlapAttributes.GATE_KIND, gate.kind],
          [OverlapAttributes.GATE_SCOPE, gate.scope],
        ] as const),
      })),
    );
  }

  /** `gates: a: 1 running, 0 queued; b: ...` for error messages. */
  describeGates(): string {
    return this.gates.map((g) => g.describe()).join('; ');
  }
}
