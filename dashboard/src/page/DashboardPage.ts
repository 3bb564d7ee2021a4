import { AgentRunPanel } from './agents/AgentRunPanel.js';
import { ApiClient } from './api/ApiClient.js';
import type { AgentsResponse, RunAgentRequest, RunAgentResponse } from '@overlap/shared';
import { isApiError } from './api/ApiError.js';
import type { PageConfig } from './api/pageConfig.js';
import { byId } from './dom/element.js';
import { TraceActions } from './headline/TraceActions.js';
import { LiveClient } from './live/LiveClient.js';
import type { TracesEvent } from '@overlap/shared';
import { TracePanel } from './TracePanel.js';
import { installPageHooks } from './testing/pageHooks.js';
import { TraceListModel } from './traces/TraceListModel.js';
import { TraceListView } from './traces/TraceListView.js';
import { renderWaterfallLegend } from './waterfall/WaterfallLegend.js';
import type { TraceAnalysis } from './analysis/analyseTrace.js';

/** Traces asked for when the page loads. */
const INITIAL_TRACES = 200;
/** Least time between two refreshes of the all-traces tool figures. */
const STATS_REFRESH_MS = 5000;

/**
 * The dashboard page: the trace list and the "Run an agent" panel on the left, the selected trace (with
 * its Jaeger download and "Send to Jaeger") on the right, wired to the server's REST API and live socket.
 * "Follow latest" (on by default) selects each new newest trace as it arrives; choosing another trace by
 * hand turns it off, and turning it off keeps the selection. Running an agent from the page turns it on
 * again, so the run's trace is selected when it arrives.
 *
 * @example
 * ```ts
 * const page = new DashboardPage(readPageConfig(new URL(location.href)), workerUrl);
 * await page.start();
 * ```
 */
export class DashboardPage {
  private readonly api: ApiClient;
  private readonly live: LiveClient;
  private readonly list = new TraceListModel();
  private readonly listView: TraceListView;
  private readonly panel: TracePanel;
  private readonly runPanel: AgentRunPanel;
  private readonly actions: TraceActions;
  private readonly status: HTMLElement;
  private readonly toolScope: HTMLSelectElement;
  private follow = true;
  /** The request id of the last run started from the panel, until its trace arrives and is opened. */
  private awaitedRun: string | undefined;
  private connectedOnce = false;
  private statsTimer: number | undefined;
  private lastStatsAt = Number.NEGATIVE_INFINITY;
  private lastTraceTools: TraceAnalysis | undefined;
  /** Counts `agents` events, so a `GET /api/agents` answer older than one is dropped. */
  private agentsEvents = 0;

  constructor(config: PageConfig, analysisWorkerUrl: URL | undefined) {
    this.api = new ApiClient(config);
    this.status = byId('connection-status', HTMLElement);
    this.toolScope = byId('tool-scope', HTMLSelectElement);
    this.listView = new TraceListView(byId('trace-list', HTMLElement), byId('follow-latest', HTMLInputElement), byId('trace-count', HTMLElement), {
      onSelect: (traceId) => this.select(traceId, true),
      onFollowChange: (follow) => this.setFollow(follow),
    });
    this.live = new LiveClient(config, {
      onTraces: (event) => this.onTraces(event),
      onSpans: (event) => this.panel.onSpans(event),
      onTraceSpans: (event) => this.panel.onTraceSpans(event),
      onAgents: (event) => this.onAgents(event),
      onConnect: () => this.onConnect(),
      onDisconnect: (reason) => this.setStatus(reason.startsWith('unauthorized') ? `not authorized: ${reason}` : `disconnected (${reason}), reconnecting…`, 'error'),
    });
    const perf = installPageHooks(
      () => this.panel.view.snapshot(),
      (traceId) => this.select(traceId, true),
    );
    this.panel = new TracePanel(
      {
        headline: byId('trace-headline', HTMLElement),
        waterfall: byId('waterfall', HTMLElement),
        details: byId('span-details', HTMLElement),
        concurrency: byId('concurrency', HTMLElement),
        tools: byId('tool-stats', HTMLElement),
      },
      { live: this.live, perf, analysisWorkerUrl, onTraceTools: (analysis) => this.onTraceTools(analysis) },
    );
    this.runPanel = new AgentRunPanel(byId('run-agent-body', HTMLElement), { run: (request) => this.runAgent(request) });
    this.actions = new TraceActions(byId('trace-actions', HTMLElement), {
      jaegerFileUrl: (traceId) => this.api.exportUrl(traceId, 'jaeger'),
      forward: (traceId) => this.api.forwardTrace(traceId),
    });
    renderWaterfallLegend(byId('legend', HTMLElement));
    this.listView.setFollow(this.follow);
    this.toolScope.addEventListener('change', () => this.showTools());
  }

  /** Loads the newest traces (and selects the newest when following), the offered agents and the server's forward targets. */
  async start(): Promise<void> {
    await Promise.all([this.reloadList(), this.loadAgents(), this.loadInfo()]);
  }

  /** Selects a trace; `byUser` turns "follow latest" off unless it is the newest. */
  select(traceId: string, byUser: boolean): void {
    if (byUser && this.follow && traceId !== this.list.newest()?.traceId) this.setFollow(false);
    this.listView.select(traceId);
    this.actions.show(traceId);
    if (traceId === this.panel.selected) return;
    void this.panel.open(traceId, this.list.get(traceId));
    this.showTools();
  }

  private setFollow(follow: boolean): void {
    this.follow = follow;
    this.listView.setFollow(follow);
    const newest = this.list.newest();
    if (follow && newest !== undefined) this.select(newest.traceId, false);
  }

  /**
   * Runs an agent from the panel. The server names the request, the runner puts that id on the run's
   * root span, and the trace whose summary carries it is opened when it arrives, whatever else arrives
   * meanwhile; "follow latest" is then turned off, so the run stays on screen. A runner that sets no id
   * gets the old behaviour: "follow latest" on, so the next new trace is opened.
   */
  private async runAgent(request: RunAgentRequest): Promise<RunAgentResponse> {
    const body = await this.api.runAgent(request);
    if (body.requestId === undefined) {
      this.setFollow(true);
      return body;
    }
    const arrived = this.list.traces.find((trace) => trace.requestId === body.requestId);
    if (arrived !== undefined) this.openRequested(arrived.traceId);
    else this.awaitedRun = body.requestId;
    return body;
  }

  /** Opens the trace of a run started from the panel, and keeps it on screen. */
  private openRequested(traceId: string): void {
    this.awaitedRun = undefined;
    if (this.follow) this.setFollow(false);
    this.select(traceId, false);
  }

  private async loadAgents(): Promise<void> {
    const eventsBefore = this.agentsEvents;
    try {
      const { runners } = await this.api.agents();
      if (this.agentsEvents === eventsBefore) this.runPanel.showRunners(runners);
    } catch (error) {
      if (this.agentsEvents === eventsBefore) this.runPanel.showUnavailable(isApiError(error) ? error.reason : String(error));
    }
  }

  private onAgents(event: AgentsResponse): void {
    this.agentsEvents += 1;
    this.runPanel.showRunners(event.runners);
  }

  private async loadInfo(): Promise<void> {
    try {
      this.actions.setForwardTargets((await this.api.info()).forwardTargets);
    } catch {
      // A server without /api/info forwards nowhere the page can offer; the download still works.
      this.actions.setForwardTargets([]);
    }
  }

  private async reloadList(): Promise<void> {
    try {
      const { traces } = await this.api.listTraces(INITIAL_TRACES);
      this.list.apply(traces, []);
      this.listView.render(this.list.traces, this.panel.selected);
      const newest = this.list.newest();
      if (this.follow && newest !== undefined && newest.traceId !== this.panel.selected) this.select(newest.traceId, false);
      if (this.list.traces.length === 0) this.panel.view.setEmpty('No traces yet. Send spans to POST /v1/traces and they appear here.');
    } catch (error) {
      this.setStatus(isApiError(error) && error.status === 401 ? 'not authorized: open the page with ?token=…' : `could not load traces: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  }

  private onConnect(): void {
    this.setStatus('live', 'ok');
    if (this.connectedOnce) {
      void this.reloadList();
      void this.loadInfo();
      this.panel.reopen();
    }
    // Also on the first connection: a runner that registered before the socket was up sent its `agents` event to no one.
    void this.loadAgents();
    this.connectedOnce = true;
  }

  private onTraces(event: TracesEvent): void {
    const change = this.list.apply(event.traces, event.evicted);
    const requested = this.awaitedRun === undefined ? undefined : event.traces.find((trace) => trace.requestId === this.awaitedRun);
    const selected = this.panel.selected;
    this.listView.render(this.list.traces, selected);
    if (selected !== undefined) {
      const summary = event.traces.find((trace) => trace.traceId === selected);
      if (summary !== undefined) this.panel.onSummary(summary);
      if (event.evicted.includes(selected)) this.panel.markEvicted();
    }
    const newest = this.list.newest();
    if (requested !== undefined) this.openRequested(requested.traceId);
    else if (this.follow && newest !== undefined && newest.traceId !== selected && change.added.includes(newest.traceId)) this.select(newest.traceId, false);
    if (this.toolScope.value === 'all') this.scheduleStats();
  }

  private onTraceTools(analysis: TraceAnalysis): void {
    this.lastTraceTools = analysis;
    if (this.toolScope.value !== 'all') this.panel.toolTable.show(analysis.tools, 'this trace');
  }

  private showTools(): void {
    if (this.toolScope.value === 'all') {
      this.lastStatsAt = Number.NEGATIVE_INFINITY;
      this.scheduleStats();
    } else if (this.lastTraceTools !== undefined && this.lastTraceTools.traceId === this.panel.selected) {
      this.panel.toolTable.show(this.lastTraceTools.tools, 'this trace');
    } else {
      this.panel.toolTable.show([], 'this trace');
    }
  }

  private scheduleStats(): void {
    if (this.statsTimer !== undefined) return;
    const waitMs = Math.max(0, this.lastStatsAt + STATS_REFRESH_MS - performance.now());
    this.statsTimer = window.setTimeout(() => {
      this.statsTimer = undefined;
      this.lastStatsAt = performance.now();
      this.api.stats().then(
        (stats) => {
          if (this.toolScope.value === 'all') this.panel.toolTable.show(stats.tools, `all ${stats.traceCount} stored trace${stats.traceCount === 1 ? '' : 's'}`);
        },
        (error: unknown) => this.setStatus(`could not load tool figures: ${error instanceof Error ? error.message : String(error)}`, 'error'),
      );
    }, waitMs);
  }

  private setStatus(text: string, kind: 'ok' | 'error'): void {
    this.status.textContent = text;
    this.status.dataset.state = kind;
  }
}

