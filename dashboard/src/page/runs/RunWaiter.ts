import type { TraceSummary } from '@overlap/shared';

/** Most summaries of tagged runs kept, for a wait that starts after its trace arrived. */
const MAX_REMEMBERED = 500;

interface Wait {
  readonly requestId: string;
  readonly agentName: string | undefined;
  readonly resolve: (summary: TraceSummary) => void;
}

/**
 * Waits for runs asked for from the page to end. A run's traces carry its request id on their root
 * (`overlap.request.id`, see `TraceSummary.requestId`); a run is over when its trace's root has ended and
 * no span is in flight. The page offers every summary it sees (live `traces` events, list loads); a wait
 * started after its trace ended is answered from the summaries seen before.
 *
 * @example
 * ```ts
 * const waiter = new RunWaiter();
 * live.onTraces = (event) => waiter.offer(event.traces);
 * const ended = await waiter.waitFor(response.requestId, 'knowledge_base_agent_sequential');
 * ```
 */
export class RunWaiter {
  private waits: Wait[] = [];
  /** Ended traces of tagged runs, by trace id, oldest first. */
  private readonly ended = new Map<string, TraceSummary>();

  /** Runs still waited for. */
  get pending(): number {
    return this.waits.length;
  }

  /**
   * Resolves with the summary of the run's trace once it has ended: the trace whose root runs `agentName`
   * when given (a run of several agents has a trace each), else the run's first trace to end.
   */
  waitFor(requestId: string, agentName?: string): Promise<TraceSummary> {
    return new Promise((resolve) => {
      const wait: Wait = { requestId, agentName, resolve };
      for (const summary of this.ended.values()) {
        if (matches(wait, summary)) {
          resolve(summary);
          return;
        }
      }
      this.waits.push(wait);
    });
  }

  /** Summaries the page has seen; the ones that end a wait resolve it. */
  offer(summaries: readonly TraceSummary[]): void {
    for (const summary of summaries) {
      if (summary.requestId === undefined || !hasEnded(summary)) continue;
      this.ended.delete(summary.traceId);
      this.ended.set(summary.traceId, summary);
      if (this.ended.size > MAX_REMEMBERED) this.ended.delete(this.ended.keys().next().value as string);
      const done = this.waits.filter((wait) => matches(wait, summary));
      if (done.length === 0) continue;
      this.waits = this.waits.filter((wait) => !done.includes(wait));
      for (const wait of done) wait.resolve(summary);
    }
  }
}

function matches(wait: Wait, summary: TraceSummary): boolean {
  return summary.requestId === wait.requestId && (wait.agentName === undefined || summary.agentName === wait.agentName);
}

/** The root has ended and no span is in flight. */
function hasEnded(summary: TraceSummary): boolean {
  return summary.outcome !== undefined && summary.inFlightCount === 0;
}
