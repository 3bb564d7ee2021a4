import type { AgentDescriptor, ConnectedRunner } from '@overlap/shared';

/** One agent of one runner, as the run form offers it. */
export interface AgentChoice {
  /** Stable key of the (runner, agent) pair, used as the `<option>` value. */
  readonly key: string;
  readonly runnerId: string;
  readonly serviceName: string;
  readonly agent: AgentDescriptor;
}

/** The agents of one runner. */
export interface AgentChoiceGroup {
  /** "service (runner id)": how the form labels the group. */
  readonly label: string;
  readonly runnerId: string;
  readonly choices: readonly AgentChoice[];
}

/**
 * The run form's choices: one group per runner that offers at least one agent, in the server's order
 * (registration order), each with its agents in the order offered. Runners and agents are kept, not copied.
 *
 * @example
 * ```ts
 * const groups = agentChoices((await api.agents()).runners);
 * const grouped = groups.length > 1; // show <optgroup>s only when several runners offer agents
 * ```
 */
export function agentChoices(runners: readonly ConnectedRunner[]): AgentChoiceGroup[] {
  const groups: AgentChoiceGroup[] = [];
  for (const runner of runners) {
    if (runner.agents.length === 0) continue;
    groups.push({
      label: `${runner.serviceName} (${runner.runnerId})`,
      runnerId: runner.runnerId,
      choices: runner.agents.map((agent) => ({ key: choiceKey(runner.runnerId, agent.name), runnerId: runner.runnerId, serviceName: runner.serviceName, agent })),
    });
  }
  return groups;
}

/** The key of a (runner, agent) pair: unambiguous whatever characters the names hold. */
export function choiceKey(runnerId: string, agentName: string): string {
  return JSON.stringify([runnerId, agentName]);
}
