/**
 * The agent offer: what a runner process tells the dashboard it can run, what the dashboard lists on
 * its page, and what the page's run form asks for. One definition for the runner's telemetry, the
 * dashboard's server and page, and the examples.
 *
 * @packageDocumentation
 */

/**
 * A numeric parameter an offered agent takes (a limit, a timeout, a count): an integer with a default
 * and a range, both ends included (`min <= default <= max`).
 */
export interface AgentParameter {
  /** 1 to 64 characters, such as `limit` or `timeoutMs`. */
  readonly name: string;
  /** What it changes, in a sentence, for the page's form (at most 500 characters). */
  readonly description: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** One side of an {@link AgentComparison}: a run of the agent, and which of its traces to compare. */
export interface AgentComparisonRun {
  /** What this side is, for people: `sequential`, `limit 3` (1 to 64 characters). */
  readonly label: string;
  /** Parameters of the run; missing ones take their defaults. Each must be one of the agent's, in range. */
  readonly params?: Readonly<Record<string, number>>;
  /**
   * Which of the run's traces: the one whose root runs this `gen_ai.agent.name` (an example may run
   * several agents in one run). Without it, the run's first trace.
   */
  readonly agentName?: string;
}

/**
 * A comparison worth one click on the page: run the agent as `a` and as `b` (once, when both sides have
 * the same parameters and differ only in `agentName`), then show the two traces side by side, `a` the
 * baseline.
 */
export interface AgentComparison {
  /** What it compares, such as `sequential vs concurrent` (1 to 128 characters). */
  readonly title: string;
  readonly a: AgentComparisonRun;
  readonly b: AgentComparisonRun;
}

/** An agent a runner process offers to run when someone asks from the dashboard's page. */
export interface AgentDescriptor {
  /** 1 to 128 characters: the name the run is asked for by. */
  readonly name: string;
  /** A title for people (at most 256 characters). */
  readonly title?: string;
  /** What it shows, in a sentence or two (at most 2,000 characters). */
  readonly description?: string;
  /** At most 20. */
  readonly parameters: readonly AgentParameter[];
  /** One-click comparisons of two runs of it, at most 10. */
  readonly comparisons?: readonly AgentComparison[];
}

/** What a runner process sends as `register` on the live channel. */
export interface RunnerRegistration {
  /** 1 to 128 characters, unique per process, such as `support-bot-4242`. */
  readonly runnerId: string;
  /** 1 to 256 characters: its `service.name`. */
  readonly serviceName: string;
  /** At most 200. */
  readonly agents: readonly AgentDescriptor[];
}

/** A runner process connected to the dashboard's live channel, and the agents it offers. */
export interface ConnectedRunner extends RunnerRegistration {
  /** ISO time it registered. */
  readonly connectedAt: string;
}
