/**
 * Bodies of the agent routes, `GET /api/agents`, the live `agents` event and `POST /api/agents/run`
 * (see the dashboard README), as the page reads them.
 *
 * @packageDocumentation
 */

/** A numeric parameter an offered agent takes (a limit, a timeout, a count). The page asks for integers. */
export interface AgentParameterInfo {
  readonly name: string;
  readonly description: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** An agent a runner offers to run. */
export interface AgentInfo {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly parameters: readonly AgentParameterInfo[];
}

/** A connected runner process and the agents it offers. */
export interface RunnerInfo {
  readonly runnerId: string;
  readonly serviceName: string;
  /** ISO time it registered. */
  readonly connectedAt: string;
  readonly agents: readonly AgentInfo[];
}

/** Body of `GET /api/agents`, and of the live `agents` event. */
export interface AgentsBody {
  readonly runners: readonly RunnerInfo[];
}

/** Body of `POST /api/agents/run`. */
export interface RunAgentRequest {
  /** The runner to ask; without it, the first that offers the agent. */
  readonly runnerId?: string;
  readonly agent: string;
  /** Parameters by name; missing ones take their defaults. */
  readonly params: Readonly<Record<string, number>>;
}

/** The 202 answer of `POST /api/agents/run`: the runner accepted the run (defaults filled in). */
export interface RunAgentBody {
  readonly accepted: true;
  readonly runnerId: string;
  readonly agent: string;
  readonly params: Readonly<Record<string, number>>;
  /** Set on the run's root span as `overlap.request.id` by runners that support it: the page opens that trace. */
  readonly requestId?: string;
}
