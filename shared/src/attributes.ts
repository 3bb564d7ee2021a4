/**
 * Span names, attribute keys, event names and values that Overlap writes and reads.
 *
 * The runner writes them; the dashboard, the exporters and the trace maths read them. They are defined
 * here once so both sides agree. Keys under `gen_ai.*` and `error.type` follow the OpenTelemetry
 * semantic conventions (GenAI agent and framework spans); keys under `overlap.*` are Overlap's own.
 *
 * ## How queue time is told apart from run time
 *
 * A tool call is one span, `execute_tool {tool}`, that starts when the agent issues the call and ends
 * when the caller gets its answer. Time spent waiting for a gate (a semaphore or a rate limit) is a
 * **child span** of the call, named `queue {gate}`, with {@link OverlapAttributes.PHASE} = `"queue"`,
 * {@link OverlapAttributes.GATE} = the gate's name and {@link OverlapAttributes.QUEUE_WAIT_MS}. A child
 * span is what every tracing backend draws, Jaeger included: the call's bar with a nested bar for the
 * wait, so "queued" and "ran" can be read off any waterfall. The queue span exists only when the call
 * really waited; a call that got its permit at once has none. The call span also carries the total
 * wait over all gates and attempts in {@link OverlapAttributes.QUEUE_WAIT_MS}, so a reader that does not
 * look at children still has the figure.
 *
 * Run time is the rest of the call span: from the end of its last queue span to the span's end, minus
 * retry back-off waits, which are events ({@link OverlapEvents.RETRY_BACKOFF}) carrying their delay.
 *
 * ## A body that ignores its timeout
 *
 * When a call times out, its span ends at the timeout with outcome `timeout`. If the body has not
 * settled by then (it ignored its `AbortSignal`), the runner opens a child span `abandoned {tool}` with
 * {@link OverlapAttributes.PHASE} = `"abandoned"` that starts at the timeout and ends when the body
 * really settles ({@link OverlapAttributes.BODY_SETTLED} = true, with {@link OverlapAttributes.BODY_OUTCOME}).
 * When the call's gates take its permits back meanwhile (the tool's `reclaimPermitAfterMs`), that is an
 * {@link OverlapEvents.PERMIT_RECLAIMED} event on the span, which stays open: the permits stop counting
 * there, the body does not. A runner stops watching after the tool's `abandonedSpanMaxMs`: the span then
 * ends with {@link OverlapAttributes.BODY_SETTLED} = false and an {@link OverlapEvents.BODY_UNWATCHED} event.
 *
 * @packageDocumentation
 */

/** Attribute keys from the OpenTelemetry semantic conventions that Overlap sets. */
export const GenAiAttributes = {
  /** The operation a span performs: `invoke_agent`, `execute_tool` or `chat`. */
  OPERATION_NAME: 'gen_ai.operation.name',
  /** Name of the agent an `invoke_agent` span runs. */
  AGENT_NAME: 'gen_ai.agent.name',
  /** Unique id of one agent run. */
  AGENT_ID: 'gen_ai.agent.id',
  /** Human-readable description of the agent. */
  AGENT_DESCRIPTION: 'gen_ai.agent.description',
  /** Name of the tool an `execute_tool` span calls. */
  TOOL_NAME: 'gen_ai.tool.name',
  /** Id of one tool call (the model's tool-call id when the caller passes one). */
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  /** Tool type: `function`, `extension` or `datastore`. */
  TOOL_TYPE: 'gen_ai.tool.type',
  /** Human-readable description of the tool. */
  TOOL_DESCRIPTION: 'gen_ai.tool.description',
  /** Tool input, JSON, recorded only when the user opts in. */
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  /** Tool output, JSON, recorded only when the user opts in. */
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  /** Model a `chat` span asked for. */
  REQUEST_MODEL: 'gen_ai.request.model',
  /** Model that answered, when the provider says. */
  RESPONSE_MODEL: 'gen_ai.response.model',
  /** Provider of the model, such as `openai` or `anthropic`. */
  PROVIDER_NAME: 'gen_ai.provider.name',
  /** Tokens in the prompt of a `chat` call. */
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  /** Tokens in the answer of a `chat` call. */
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  /** Why the model stopped, one entry per choice. */
  RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  /** The provider's id of the answer, such as `chatcmpl-...`. */
  RESPONSE_ID: 'gen_ai.response.id',
  /** Most tokens a `chat` call asked the model to generate. */
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  /** Temperature a `chat` call asked for. */
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  /** A model call's input messages, JSON, recorded only when the user opts in. */
  INPUT_MESSAGES: 'gen_ai.input.messages',
  /** A model call's output, JSON, recorded only when the user opts in. */
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  /** Seconds from the request to the first streamed chunk of the answer (as the AI SDK writes it). */
  TIME_TO_FIRST_CHUNK: 'gen_ai.client.operation.time_to_first_chunk',
  /** Class of error that ended a span unsuccessfully (the error's `code`, else its name). */
  ERROR_TYPE: 'error.type',
} as const;

/** Values of {@link GenAiAttributes.OPERATION_NAME} that Overlap writes (and the model operations it reads). */
export const GenAiOperations = {
  INVOKE_AGENT: 'invoke_agent',
  EXECUTE_TOOL: 'execute_tool',
  CHAT: 'chat',
  /** Older and other model operations, read as model calls like `chat`. */
  TEXT_COMPLETION: 'text_completion',
  GENERATE_CONTENT: 'generate_content',
} as const;

/**
 * Older GenAI keys that other instrumentation still writes, read as fallbacks: the provider under its
 * former name and token usage under its former names.
 */
export const LegacyGenAiAttributes = {
  SYSTEM: 'gen_ai.system',
  USAGE_PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens',
  USAGE_COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens',
} as const;

/**
 * Keys of the Vercel AI SDK's own spans (`ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`...,
 * as its `LegacyOpenTelemetry` integration and AI SDK 6 and earlier write them), which the trace maths
 * read to find tool and model calls in them. Its newer integration writes the GenAI keys instead.
 */
export const AiSdkAttributes = {
  /** What a span does, such as `ai.generateText`, `ai.streamText.doStream` or `ai.toolCall`. */
  OPERATION_ID: 'ai.operationId',
  /** `functionId` of the call's telemetry settings, the application's name for it. */
  FUNCTION_ID: 'ai.telemetry.functionId',
  /** On an `ai.toolCall` span: the tool's name. */
  TOOL_CALL_NAME: 'ai.toolCall.name',
  /** On an `ai.toolCall` span: the model's id of the call. */
  TOOL_CALL_ID: 'ai.toolCall.id',
  /** The model's id, such as `gpt-4o-mini`. */
  MODEL_ID: 'ai.model.id',
  USAGE_INPUT_TOKENS: 'ai.usage.inputTokens',
  USAGE_OUTPUT_TOKENS: 'ai.usage.outputTokens',
  /** AI SDK 4 and earlier. */
  USAGE_PROMPT_TOKENS: 'ai.usage.promptTokens',
  /** AI SDK 4 and earlier. */
  USAGE_COMPLETION_TOKENS: 'ai.usage.completionTokens',
} as const;

/**
 * Keys the OpenAI Agents JS tracing processor (`@overlap/runner/openai-agents`) writes besides the GenAI
 * ones, for what Agents JS traces and GenAI has no key for.
 */
export const OpenAiAgentsAttributes = {
  /** The Agents JS span type: `agent`, `generation`, `response`, `function`, `handoff`, `turn`... */
  SPAN_TYPE: 'openai.agents.span.type',
  /** On a trace's root span: the Agents JS trace id. */
  TRACE_ID: 'openai.agents.trace.id',
  /** On a trace's root span: the Agents JS group id (a conversation's traces share it). */
  GROUP_ID: 'openai.agents.group.id',
  /** On an `invoke_agent` span: the names of the agent's tools. */
  AGENT_TOOLS: 'openai.agents.agent.tools',
  /** On an `invoke_agent` span: the agents it may hand off to. */
  AGENT_HANDOFFS: 'openai.agents.agent.handoffs',
  /** On an `invoke_agent` span: the type of its output. */
  AGENT_OUTPUT_TYPE: 'openai.agents.agent.output_type',
  /** On a `turn` span: the turn's number, from 1. */
  TURN: 'openai.agents.turn',
  /** On a `handoff` span: the agent handing off. */
  HANDOFF_FROM: 'openai.agents.handoff.from',
  /** On a `handoff` span: the agent taking over. */
  HANDOFF_TO: 'openai.agents.handoff.to',
  /** On a `guardrail` span: whether it tripped. */
  GUARDRAIL_TRIGGERED: 'openai.agents.guardrail.triggered',
  /** On `turn` and `task` spans: the tokens of their model calls, added up (not counted again as calls). */
  USAGE_INPUT_TOKENS: 'openai.agents.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'openai.agents.usage.output_tokens',
} as const;

/** Values of {@link AiSdkAttributes.OPERATION_ID} that are tool and model calls. */
export const AiSdkOperations = {
  TOOL_CALL: 'ai.toolCall',
  /** One model request inside `generateText`, `streamText`, `generateObject` or `streamObject`. */
  MODEL_CALLS: ['ai.generateText.doGenerate', 'ai.streamText.doStream', 'ai.generateObject.doGenerate', 'ai.streamObject.doStream'],
} as const;

/** Overlap's own attribute keys. */
export const OverlapAttributes = {
  /** How a call or run ended; one of {@link Outcome}. */
  OUTCOME: 'overlap.outcome',
  /**
   * On a queue span: the gate waited on. On a call span: every gate the call passes, as a string array,
   * in the order they are acquired.
   */
  GATE: 'overlap.gate',
  /** Kind of the gate a queue span waited on, such as `semaphore` or `rate_limit`. */
  GATE_KIND: 'overlap.gate.kind',
  /** `local` for a gate in this process, `shared` for one shared across processes (Redis). */
  GATE_SCOPE: 'overlap.gate.scope',
  /** Milliseconds spent waiting for gates: one wait on a queue span, the total over a call on its span. */
  QUEUE_WAIT_MS: 'overlap.queue.wait_ms',
  /** Waiters ahead of this call when it joined the gate's queue. */
  QUEUE_AHEAD: 'overlap.queue.ahead',
  /** Role of a child span inside a call: `queue` for a gate wait, `abandoned` for a body run past its timeout. */
  PHASE: 'overlap.phase',
  /** The call's per-attempt timeout in milliseconds. */
  TIMEOUT_MS: 'overlap.timeout_ms',
  /** The run's deadline in milliseconds from its start (on `invoke_agent` spans). */
  DEADLINE_MS: 'overlap.deadline_ms',
  /** On a call span: how many attempts were started. On attempt events: the attempt's number, from 1. */
  ATTEMPT: 'overlap.attempt',
  /** Delay chosen before the next attempt, in milliseconds. */
  RETRY_DELAY_MS: 'overlap.retry.delay_ms',
  /** Delay the upstream asked for (a Retry-After hint), in milliseconds. */
  RETRY_AFTER_MS: 'overlap.retry.after_ms',
  /** Why no further attempt was started: `exhausted`, `not_retryable`, `deadline` or `cancelled`. */
  RETRY_STOP_REASON: 'overlap.retry.stop_reason',
  /** On an `abandoned` span: whether the body settled (true) or was still running when the span ended. */
  BODY_SETTLED: 'overlap.body.settled',
  /** On an `abandoned` span: how the body settled, `ok` or `error`. */
  BODY_OUTCOME: 'overlap.body.outcome',
  /** Circuit breaker state: `closed`, `open` or `half_open`. */
  CIRCUIT_STATE: 'overlap.circuit.state',
  /** Circuit breaker state before a change. */
  CIRCUIT_PREVIOUS_STATE: 'overlap.circuit.previous_state',
  /** Kind of a pattern an agent used, on its events: `all`, `race`, `fallback`, `hedge`... */
  PATTERN: 'overlap.pattern',
  /** The error message of a failed attempt or call. */
  ERROR_MESSAGE: 'overlap.error.message',
  /** Priority of a call in gate queues (higher first). */
  PRIORITY: 'overlap.priority',
  /**
   * On an `invoke_agent` span: the id of the request that asked for the run (a run started from the
   * dashboard's page), so the page can open exactly that run's trace.
   */
  REQUEST_ID: 'overlap.request.id',
  /** Id of the runner process instance that produced a span (set on resources by the telemetry set-up). */
  RUNNER_ID: 'overlap.runner.id',
  /** On an {@link OverlapEvents.TIMEOUT} event: whether the body was still running when the timeout fired. */
  BODY_RUNNING: 'overlap.body.running',
  /**
   * On an {@link OverlapEvents.PERMIT_RECLAIMED} event: the gates that refused to take their permit back
   * (a string array; empty when every gate did). Those permits stay with the body until it settles.
   */
  PERMIT_REFUSED_BY: 'overlap.permit.refused_by',
  /** On an {@link OverlapEvents.BODY_UNWATCHED} event: the tool's `abandonedSpanMaxMs`, in milliseconds. */
  ABANDONED_SPAN_MAX_MS: 'overlap.abandoned.max_ms',
  /** On an {@link OverlapEvents.FALLBACK} event: the index of the task tried next (1 for the first fallback). */
  FALLBACK_INDEX: 'overlap.fallback.index',
  /** On an {@link OverlapEvents.HEDGE_START} event: which copy starts (1 for the first duplicate). */
  HEDGE_INDEX: 'overlap.hedge.index',
  /** On an `overlap.first_token` event: milliseconds from the attempt's start to the first streamed token. */
  TIME_TO_FIRST_TOKEN_MS: 'overlap.time_to_first_token_ms',
  /**
   * On a span the dashboard's page draws for a call still waiting in a gate's queue (announced on the live
   * channel as a `QueuedCall`, see `queuedCallSpans`): `true`. Such spans exist only on the page; the
   * runner never writes this attribute, and they are replaced by the call's real spans when it leaves
   * the queue.
   */
  QUEUED_PLACEHOLDER: 'overlap.queued.placeholder',
} as const;

/** Names of the span events Overlap records. */
export const OverlapEvents = {
  /** An attempt started (attributes: {@link OverlapAttributes.ATTEMPT}). */
  ATTEMPT_START: 'overlap.attempt.start',
  /**
   * An attempt failed (attributes: attempt, `error.type`, message, and {@link OverlapAttributes.OUTCOME},
   * the outcome the error states, so a reader knows an attempt `rejected` at its gates never ran).
   */
  ATTEMPT_FAILED: 'overlap.attempt.failed',
  /** The runner waits before the next attempt (attributes: delay, hint). */
  RETRY_BACKOFF: 'overlap.retry.backoff',
  /** The call timed out (attributes: timeout, whether the body was still running). */
  TIMEOUT: 'overlap.timeout',
  /** The call was cancelled by its caller, its parent or the run (attributes: message). */
  CANCELLED: 'overlap.cancelled',
  /** A circuit breaker changed state (attributes: state, previous state). */
  CIRCUIT_STATE_CHANGE: 'overlap.circuit.state_change',
  /** A fallback was taken (attributes: pattern, message of the primary's error). */
  FALLBACK: 'overlap.fallback',
  /** A hedge (duplicate) call was started. */
  HEDGE_START: 'overlap.hedge.start',
  /**
   * On an `abandoned` span: the call's gates were asked to take back the permits of a body that runs on
   * past its timeout (attributes: {@link OverlapAttributes.PERMIT_REFUSED_BY}). From here the body holds
   * only the permits of the gates that refused. A tool without gates has no permit and no such event.
   */
  PERMIT_RECLAIMED: 'overlap.permit.reclaimed',
  /**
   * On an `abandoned` span: the runner stopped watching a body that still runs (the tool's
   * `abandonedSpanMaxMs` passed); the span ends here with {@link OverlapAttributes.BODY_SETTLED} = false.
   */
  BODY_UNWATCHED: 'overlap.body.unwatched',
  /** A streamed model answer's first token arrived (attributes: {@link OverlapAttributes.TIME_TO_FIRST_TOKEN_MS}). */
  FIRST_TOKEN: 'overlap.first_token',
} as const;

/**
 * Tags and tag prefixes Overlap writes into Jaeger trace files (`spansToJaeger`) for what Jaeger has no
 * place for, and reads back (`jaegerToSpans`).
 */
export const OverlapJaegerTags = {
  /** The exact start in nanoseconds, when microseconds lose digits. */
  START_NANOS: 'overlap.start_time_unix_nano',
  /** The exact end in nanoseconds, when microseconds lose digits. */
  END_NANOS: 'overlap.end_time_unix_nano',
  /** The exact time of an event (a log field), when microseconds lose digits. */
  EVENT_NANOS: 'overlap.time_unix_nano',
  /** Prefix of an attribute key escaped because it clashes with a key the mapping uses (`overlap.attr.error`). */
  ESCAPE_PREFIX: 'overlap.attr.',
  /** Prefix of Overlap's own bookkeeping tags (`overlap.jaeger.in_flight`, `overlap.jaeger.links`...). */
  MARKER_PREFIX: 'overlap.jaeger.',
} as const;

/** Values of {@link OverlapAttributes.OUTCOME}. */
export const Outcome = {
  /** Finished with a value. */
  OK: 'ok',
  /** The body (or its upstream) failed. */
  ERROR: 'error',
  /** The call or run ran out of time (its timeout or the run deadline). */
  TIMEOUT: 'timeout',
  /** Its caller, parent or run cancelled it. */
  CANCELLED: 'cancelled',
  /** Never ran: bad input, full queue, queue timeout or open circuit. */
  REJECTED: 'rejected',
} as const;

/** One of the values of {@link Outcome}. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Values of {@link OverlapAttributes.PHASE}. */
export const Phase = {
  QUEUE: 'queue',
  ABANDONED: 'abandoned',
} as const;

/** One of the values of {@link Phase}. */
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Builders for the span names Overlap uses, following the GenAI conventions (`{operation} {target}`). */
export const SpanNames = {
  invokeAgent: (agentName: string): string => `invoke_agent ${agentName}`,
  executeTool: (toolName: string): string => `execute_tool ${toolName}`,
  chat: (model: string): string => `chat ${model}`,
  queue: (gateName: string): string => `queue ${gateName}`,
  abandoned: (toolName: string): string => `abandoned ${toolName}`,
} as const;
