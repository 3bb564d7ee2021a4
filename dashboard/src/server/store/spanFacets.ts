import { GenAiAttributes, spanCall, spanOutcome, spanPhase } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';

/** What a trace is indexed by, besides time. */
export type Facet = 'service' | 'agent' | 'tool' | 'outcome';

/** Every facet, in the order filters are applied. */
export const FACETS: readonly Facet[] = ['service', 'agent', 'tool', 'outcome'];

/** A facet and its value, as one span contributes it to its trace's index. */
export interface FacetValue {
  readonly facet: Facet;
  readonly value: string;
}

/**
 * The facet values one span gives its trace: its service, and its agent, tool and outcome when it has
 * them. Outcomes are counted as the trace summary counts them: ended spans other than queue and
 * abandoned phases. Both stores index by exactly these.
 *
 * @example
 * ```ts
 * spanFacets(toolSpan); // [{ facet: 'service', value: 'svc' }, { facet: 'tool', value: 'search' }, { facet: 'outcome', value: 'ok' }]
 * ```
 */
export function spanFacets(span: SpanRecord): FacetValue[] {
  const values: FacetValue[] = [{ facet: 'service', value: span.resource.serviceName }];
  const agent = span.attributes[GenAiAttributes.AGENT_NAME];
  if (typeof agent === 'string') values.push({ facet: 'agent', value: agent });
  // `gen_ai.tool.name` on any span, else the tool of a call as the trace maths find it (the AI SDK's ai.toolCall).
  const call = spanCall(span);
  const tool = span.attributes[GenAiAttributes.TOOL_NAME] ?? (call?.operation === 'execute_tool' ? call.name : undefined);
  if (typeof tool === 'string') values.push({ facet: 'tool', value: tool });
  const outcome = spanPhase(span) === undefined ? spanOutcome(span) : undefined;
  if (outcome !== undefined) values.push({ facet: 'outcome', value: outcome });
  return values;
}
