import type { Attributes } from '@opentelemetry/api';
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';
import type { Clock } from '../Clock.js';
import type { Gate } from '../gates/Gate.js';
import { Semaphore } from '../gates/Semaphore.js';
import type { Tool } from '../tool.js';
import { CircuitBreaker } from './CircuitBreaker.js';

/**
 * A tool's state inside one runner: its own concurrency semaphore, its circuit breaker, its gates in
 * acquisition order, and the span attributes that never change between its calls. Built on a tool's
 * first call from options `defineTool` already checked, so building it never throws.
 */
export class ToolRuntime {
  /** Gates in the order a call acquires them: holding gates by creation order, then pacing gates. */
  readonly gates: readonly Gate[];
  readonly breaker: CircuitBreaker | undefined;
  readonly startAttributes: Attributes;

  constructor(tool: Tool, clock: Clock) {
    const gates = [...tool.gates];
    if (tool.concurrency !== Infinity) {
      gates.push(new Semaphore({ name: `${tool.name}.concurrency`, permits: tool.concurrency, clock }));
    }
    gates.sort((a, b) => (a.holdsPermits === b.holdsPermits ? a.order - b.order : a.holdsPermits ? -1 : 1));
    this.gates = Object.freeze(gates);
    this.breaker = tool.circuitBreaker && new CircuitBreaker(tool.circuitBreaker);
    const attributes: Attributes = {
      [GenAiAttributes.OPERATION_NAME]: tool.operation,
    };
    if (tool.operation === 'chat' && tool.model) {
      attributes[GenAiAttributes.REQUEST_MODEL] = tool.model.name;
      attributes[GenAiAttributes.PROVIDER_NAME] = tool.model.provider;
    } else {
      attributes[GenAiAttributes.TOOL_NAME] = tool.name;
      attributes[GenAiAttributes.TOOL_TYPE] = tool.type;
      if (tool.description !== undefined) attributes[GenAiAttributes.TOOL_DESCRIPTION] = tool.description;
    }
    if (tool.timeoutMs !== Infinity) attributes[OverlapAttributes.TIMEOUT_MS] = tool.timeoutMs;
    if (gates.length > 0) attributes[OverlapAttributes.GATE] = gates.map((g) => g.name);
    this.startAttributes = Object.freeze(attributes);
  }

  /** `gates: a: 1 running, 0 queued; b: ...` for error messages. */
  describeGates(): string {
    return this.gates.map((g) => g.describe()).join('; ');
  }
}
