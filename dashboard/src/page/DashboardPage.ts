import { resolveAgentParams } from '@overlap/shared';
import type { AgentComparison, AgentsResponse, RunAgentRequest, RunAgentResponse, TraceSummary, TracesEvent } from '@overlap/shared';
import { AgentRunPanel } from './agents/AgentRunPanel.js';
import type { AgentChoice } from './agents/agentChoices.js';
import { ApiClient } from './api/ApiClient.js';
import { isApiError } from './api/ApiError.js';
import type { PageConfig } from './api/pageConfig.js';
import { CompareView } from './compare/CompareView.js';
import { byId } from './dom/element.js';
import { TraceActions } from './headline/TraceActions.js';
import { LiveClient } from './live/LiveClient.js';
import { isFiltered, parseRoute, routeHref, sameFilter } from './route/pageRoute.js';
import type { PageRoute, RouteMode, TraceListFilter } from './route/pageRoute.js';
import { RunWaiter } from './runs/RunWaiter.js';
import { TracePanel } from './TracePanel.js';
import { installPageHooks } from './testing/pageHooks.js';
import { TraceFilterForm } from './traces/TraceFilterForm.js';
import { TraceListModel } from './traces/TraceListModel.js';
import { TraceListView } from './traces/TraceListView.js';
import { renderWaterfallLegend } from './waterfall/WaterfallLegend.js';
import type { TraceAnalysis } from './analysis/analyseTrace.js';

/** Traces asked for when the page loads (and when its filter changes). */
const INITIAL_TRACES = 200;
/** Least time between two refreshes of the all-traces tool figures. */
const STATS_REFRESH_MS = 5000;
/** Least time between two reloads of a filtered list, or of a comparison, while traces change. */
const LIVE_RELOAD_MS = 500;

/** The last run started from the run panel for one agent, what "Run again and compare" compares with. */
interface PanelRun {
  readonly traceId: string;
  readonly agentName: string | undefined;
}

/**
 * The dashboard page: the trace list (with its filter, and boxes to pick two traces to compare) and
 * the "Run an agent" panel on the left; on the right, the selected trace (with its Jaeger download and
 * "Send to Jaeger") or two runs compared side by side. Wired to the server's REST API and live socket.
 *
 * Every view has a URL (see `route/pageRoute.ts`): picking a trace, pinning a span, filtering the list or
 * opening a comparison changes it, and the browser's back and forward buttons go back to what was shown.
 * "Follow latest" (on by default) selects each new newest trace as it arrives, replacing the URL rather
 * than adding to the history; choosing another trace by hand turns it off, and turning it off keeps the
 * selection. Running an agent from the page opens the run's trace when it arrives.
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
  private readonly filterForm: TraceFilterForm;
  private readonly panel: TracePanel;
  private readonly runPanel: AgentRunPanel;
  private readonly actions: TraceActions;
  private readonly compareView: CompareView;
  private readonly waiter = new RunWaiter();
  private readonly status: HTMLElement;
  private readonly toolScope: HTMLSelectElement;
  private readonly traceView: HTMLElement;
  private readonly compareSection: HTMLElement;
  private readonly compareButton: HTMLButtonElement;
  private readonly comparePicked: HTMLElement;
  private readonly filterBox: HTMLDetailsElement;
  private route: PageRoute;
  private readonly routeMode: RouteMode;
  private readonly routeBase: string;
  private follow = true;
  /** Traces ticked for comparison, in the order they were ticked (A first). */
  private comparePicks: string[] = [];
  /** The request id of the last run started from the panel, until its trace arrives and is opened. */
  private awaitedRun: { requestId: string; key: string } | undefined;
  private readonly panelRuns = new Map<string, PanelRun>();
  private connectedOnce = false;
  private statsTimer: number | undefined;
  private lastStatsAt = Number.NEGATIVE_INFINITY;
  private lastTraceTools: TraceAnalysis | undefined;
  /** Counts `agents` events, so a `GET /api/agents` answer older than one is dropped. */
  private agentsEvents = 0;
  /** Counts list loads, so an answer to an older filter is dropped. */
  private listLoads = 0;
  private listReloadTimer: number | undefined;
  private compareReloadTimer: number | undefined;
  private compareLoads = 0;

  constructor(private readonly config: PageConfig, analysisWorkerUrl: URL | undefined) {
    this.api = new ApiClient(config);
    const initial = parseRoute(new URL(window.location.href));
    this.route = initial.route;
    this.routeMode = initial.mode;
    this.routeBase = initial.base;
    this.status = byId('connection-status', HTMLElement);
    this.toolScope = byId('tool-scope', HTMLSelectElement);
    this.traceView = byId('trace-view', HTMLElement);
    this.compareSection = byId('compare-view', HTMLElement);
    this.compareButton = byId('compare-button', HTMLButtonElement);
    this.comparePicked = byId('compare-picked', HTMLElement);
    this.filterBox = byId('filter-box', HTMLDetailsElement);
    this.listView = new TraceListView(byId('trace-list', HTMLElement), byId('follow-latest', HTMLInputElement), byId('trace-count', HTMLElement), {
      onSelect: (traceId) => this.select(traceId, true),
      onFollowChange: (follow) => this.setFollow(follow, true),
      onCompareToggle: (traceId, checked) => this.toggleComparePick(traceId, checked),
    });
    this.filterForm = new TraceFilterForm(byId('trace-filter', HTMLElement), { onChange: (filter) => this.setFilter(filter) });
    this.live = new LiveClient(config, {
      onTraces: (event) => this.onTraces(event),
      onSpans: (event) => this.panel.onSpans(event),
      onTraceSpans: (event) => this.panel.onTraceSpans(event),
      onAgents: (event) => this.onAgents(event),
      onConnect: () => this.onConnect(),
      onDisconnect: (reason) => this.setStatus(reason.startsWith('unauthorized') ? `not authorized: ${reason}` : `disconnected (${reason}), reconnecting…`, 'error'),
    });
    this.compareView = new CompareView(this.compareSection, {
      onSwap: () => {
        if (this.route.view === 'compare') this.navigate({ view: 'compare', a: this.route.b, b: this.route.a, filter: this.route.filter }, 'push');
      },
      onClose: () => {
        if (this.route.view === 'compare') this.navigate({ view: 'trace', traceId: this.route.a, follow: false, filter: this.route.filter }, 'push');
      },
      traceHref: (traceId) => this.href({ view: 'trace', traceId, follow: false, filter: this.route.filter }),
      onOpenTrace: (traceId) => this.navigate({ view: 'trace', traceId, follow: false, filter: this.route.filter }, 'push'),
    });
    const perf = installPageHooks(
      () => this.panel.view.snapshot(),
      (traceId) => this.select(traceId, true),
      () => this.compareView.comparison,
    );
    this.panel = new TracePanel(
      {
        headline: byId('trace-headline', HTMLElement),
        waterfall: byId('waterfall', HTMLElement),
        details: byId('span-details', HTMLElement),
        concurrency: byId('concurrency', HTMLElement),
        tools: byId('tool-stats', HTMLElement),
      },
      {
        live: this.live,
        perf,
        analysisWorkerUrl,
        onTraceTools: (analysis) => this.onTraceTools(analysis),
        onPinChange: (spanId) => this.onPinChange(spanId),
      },
    );
    this.runPanel = new AgentRunPanel(byId('run-agent-body', HTMLElement), {
      run: (request) => this.runAgent(request),
      runAndCompare: (request) => this.runAndCompare(request),
      compare: (choice, comparison) => this.runComparison(choice, comparison),
    });
    this.actions = new TraceActions(byId('trace-actions', HTMLElement), {
      jaegerFileUrl: (traceId) => this.api.exportUrl(traceId, 'jaeger'),
      forward: (traceId) => this.api.forwardTrace(traceId),
    });
    renderWaterfallLegend(byId('legend', HTMLElement));
    this.toolScope.addEventListener('change', () => this.showTools());
    this.compareButton.addEventListener('click', () => this.compareTicked());
    window.addEventListener('popstate', () => this.onPopState());
    this.filterForm.set(this.route.filter);
    this.filterBox.open = isFiltered(this.route.filter);
    this.showComparePicks();
  }

  /** Loads the (filtered) traces, the offered agents and the server's forward targets, then shows what the URL names. */
  async start(): Promise<void> {
    await Promise.all([this.reloadList(), this.loadAgents(), this.loadInfo()]);
    this.applyRoute(this.route);
  }

  /** Selects a trace: by the user (a click, the URL) or by "follow latest"; `byUser` turns "follow latest" off unless it is the newest. */
  select(traceId: string, byUser: boolean, pinSpanId?: string): void {
    if (byUser && this.follow && traceId !== this.list.newest()?.traceId) this.setFollow(false, false);
    this.showView('trace');
    this.listView.select(traceId);
    this.actions.show(traceId);
    const how = byUser ? 'push' : 'replace';
    let spanId = pinSpanId;
    if (traceId !== this.panel.selected) {
      void this.panel.open(traceId, this.list.get(traceId), pinSpanId);
      this.showTools();
    } else {
      if (pinSpanId !== undefined) this.panel.pinSpan(pinSpanId);
      spanId = this.panel.pinnedSpan;
    }
    this.record({ view: 'trace', traceId, ...(spanId === undefined ? {} : { spanId }), follow: this.follow, filter: this.filter() }, how);
  }

  private setFollow(follow: boolean, byUser: boolean): void {
    this.follow = follow;
    this.listView.setFollow(follow);
    const newest = this.list.newest();
    if (follow && newest !== undefined && (newest.traceId !== this.panel.selected || this.route.view !== 'trace')) this.select(newest.traceId, false);
    else if (byUser && this.route.view === 'trace') this.record({ ...this.route, follow }, 'replace');
  }

  // --- URLs and the history ---

  private filter(): TraceListFilter {
    return this.route.filter;
  }

  private href(route: PageRoute): string {
    return routeHref(route, this.routeBase, this.routeMode);
  }

  /** Notes the route shown in the URL: a new history entry (`push`) or in place of the current one (`replace`). */
  private record(route: PageRoute, how: 'push' | 'replace'): void {
    const href = this.href(route);
    const current = `${window.location.pathname}${window.location.search}${window.location.hash}`;
    this.route = route;
    if (href === current) return;
    if (how === 'push') window.history.pushState(null, '', href);
    else window.history.replaceState(null, '', href);
  }

  /** Goes to a route: notes it in the history and shows it. */
  private navigate(route: PageRoute, how: 'push' | 'replace'): void {
    const filterChanged = !sameFilter(route.filter, this.route.filter);
    this.record(route, how);
    if (filterChanged) this.filterChanged();
    this.applyRoute(route);
  }

  private onPopState(): void {
    const { route } = parseRoute(new URL(window.location.href));
    const filterChanged = !sameFilter(route.filter, this.route.filter);
    this.route = route;
    if (filterChanged) this.filterChanged();
    this.applyRoute(route);
  }

  /** Shows what a route names, without touching the history. */
  private applyRoute(route: PageRoute): void {
    if (route.view === 'compare') {
      void this.openCompare(route.a, route.b);
      return;
    }
    this.follow = route.follow;
    this.listView.setFollow(route.follow);
    this.showView('trace');
    const traceId = route.traceId ?? (route.follow ? this.list.newest()?.traceId : undefined);
    if (traceId === undefined) {
      if (this.list.traces.length === 0) this.panel.view.setEmpty(isFiltered(route.filter) ? 'No trace matches the filter.' : 'No traces yet. Send spans to POST /v1/traces and they appear here.');
      return;
    }
    this.listView.select(traceId);
    this.actions.show(traceId);
    if (traceId !== this.panel.selected) {
      void this.panel.open(traceId, this.list.get(traceId), route.spanId);
      this.showTools();
    } else {
      this.panel.pinSpan(route.spanId);
    }
    // Following from `/`: the URL names the trace shown, so a copied link shows it too.
    if (route.traceId === undefined) this.record({ ...route, traceId }, 'replace');
  }

  private onPinChange(spanId: string | undefined): void {
    const route = this.route;
    if (route.view !== 'trace' || route.traceId === undefined || route.spanId === spanId) return;
    const { spanId: _old, ...rest } = route;
    this.record(spanId === undefined ? rest : { ...rest, spanId }, 'replace');
  }

  private showView(view: 'trace' | 'compare'): void {
    this.traceView.hidden = view !== 'trace';
    this.compareSection.hidden = view !== 'compare';
    document.body.dataset.view = view;
  }

  // --- The trace list and its filter ---

  private setFilter(filter: TraceListFilter): void {
    if (sameFilter(filter, this.route.filter)) return;
    const route: PageRoute =
      this.route.view === 'compare' ? { ...this.route, filter } : { view: 'trace', ...(this.panel.selected === undefined ? {} : { traceId: this.panel.selected }), follow: this.follow, filter };
    this.record(route, 'push');
    this.filterChanged();
  }

  /** The route's filter changed: show it in the form, load the list again (and the tool figures, which follow it). */
  private filterChanged(): void {
    this.filterForm.set(this.route.filter);
    if (this.toolScope.value === 'all') this.showTools();
    if (isFiltered(this.route.filter)) this.filterBox.open = true;
    this.list.reset();
    this.listView.render([], this.panel.selected);
    void this.reloadList(true);
  }

  private async reloadList(selectNewest = false): Promise<void> {
    const load = ++this.listLoads;
    const filter = this.route.filter;
    try {
      const { traces } = await this.api.listTraces(INITIAL_TRACES, filter);
      if (load !== this.listLoads) return;
      if (isFiltered(filter)) this.list.reset();
      this.list.apply(traces, []);
      this.waiter.offer(traces);
      this.listView.render(this.list.traces, this.panel.selected);
      const newest = this.list.newest();
      if (selectNewest && this.follow && this.route.view === 'trace' && newest !== undefined && newest.traceId !== this.panel.selected) this.select(newest.traceId, false);
      if (this.list.traces.length === 0 && this.panel.selected === undefined) {
        this.panel.view.setEmpty(isFiltered(filter) ? 'No trace matches the filter.' : 'No traces yet. Send spans to POST /v1/traces and they appear here.');
      }
    } catch (error) {
      this.setStatus(isApiError(error) && error.status === 401 ? 'not authorized: open the page with ?token=…' : `could not load traces: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  }

  /** A filtered list is the server's answer to its query: changes reload it (at most twice a second) rather than being merged. */
  private scheduleListReload(): void {
    if (this.listReloadTimer !== undefined) return;
    this.listReloadTimer = window.setTimeout(() => {
      this.listReloadTimer = undefined;
      void this.reloadList(true);
    }, LIVE_RELOAD_MS);
  }

  // --- Comparing two runs ---

  private toggleComparePick(traceId: string, checked: boolean): void {
    this.comparePicks = this.comparePicks.filter((id) => id !== traceId);
    if (checked) this.comparePicks.push(traceId);
    // Two at most: ticking a third drops the first ticked.
    if (this.comparePicks.length > 2) this.comparePicks = this.comparePicks.slice(-2);
    this.showComparePicks();
  }

  private showComparePicks(): void {
    this.listView.setCompare(this.comparePicks);
    this.compareButton.disabled = this.comparePicks.length !== 2;
    this.comparePicked.textContent =
      this.comparePicks.length === 0 ? 'Tick two traces to compare them' : this.comparePicks.length === 1 ? 'Tick one more trace (the first is A)' : 'A: the first ticked; B: the second';
  }

  private compareTicked(): void {
    if (this.comparePicks.length !== 2) return;
    const [a, b] = this.comparePicks as [string, string];
    this.comparePicks = [];
    this.showComparePicks();
    this.navigate({ view: 'compare', a, b, filter: this.route.filter }, 'push');
  }

  private async openCompare(a: string, b: string): Promise<void> {
    this.showView('compare');
    const load = ++this.compareLoads;
    if (this.compareView.comparison === undefined || this.compareView.comparison.a.traceId !== a || this.compareView.comparison.b.traceId !== b) this.compareView.showLoading(a, b);
    try {
      const comparison = await this.api.compare(a, b);
      if (load !== this.compareLoads || this.route.view !== 'compare') return;
      this.compareView.show(comparison);
    } catch (error) {
      if (load !== this.compareLoads) return;
      if (isApiError(error) && error.status === 404) this.compareView.showError(`Cannot compare: ${notFoundMessage(error.reason, [a, b])}`);
      else if (isApiError(error) && error.status === 400) this.compareView.showError(`Cannot compare: ${error.reason}`);
      else this.compareView.showError(`Could not load the comparison: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** While a comparison is shown, its traces may still be changing (late spans): draw it again, at most twice a second. */
  private scheduleCompareReload(): void {
    if (this.compareReloadTimer !== undefined) return;
    this.compareReloadTimer = window.setTimeout(() => {
      this.compareReloadTimer = undefined;
      if (this.route.view === 'compare') void this.openCompare(this.route.a, this.route.b);
    }, LIVE_RELOAD_MS);
  }

  // --- Running agents ---

  /**
   * Runs an agent from the panel. The server names the request, the runner puts that id on the run's
   * root span, and the trace whose summary carries it is opened when it arrives, whatever else arrives
   * meanwhile; "follow latest" is then turned off, so the run stays on screen. A runner that sets no id
   * gets the old behaviour: "follow latest" on, so the next new trace is opened.
   */
  private async runAgent(request: RunAgentRequest): Promise<RunAgentResponse> {
    const body = await this.api.runAgent(request);
    const key = runKey(body.runnerId, body.agent);
    if (body.requestId === undefined) {
      this.setFollow(true, true);
      return body;
    }
    const arrived = this.list.traces.find((trace) => trace.requestId === body.requestId);
    if (arrived !== undefined) this.openRequested(arrived, key);
    else this.awaitedRun = { requestId: body.requestId, key };
    return body;
  }

  /** Opens the trace of a run started from the panel, and keeps it on screen. */
  private openRequested(summary: TraceSummary, key: string): void {
    this.awaitedRun = undefined;
    this.panelRuns.set(key, { traceId: summary.traceId, agentName: summary.agentName });
    if (this.follow) this.setFollow(false, false);
    this.select(summary.traceId, true);
  }

  /** "Run again and compare": runs the agent with the form's parameters and compares it with its last run from the panel. */
  private async runAndCompare(request: RunAgentRequest): Promise<string> {
    const key = runKey(request.runnerId ?? '', request.agent);
    const base = this.panelRuns.get(key) ?? [...this.panelRuns.entries()].find(([k]) => k.endsWith(`\u0000${request.agent}`))?.[1];
    if (base === undefined) throw new Error(`there is no earlier run of ${request.agent} from this page to compare with: run it once first`);
    const body = await this.api.runAgent(request);
    if (body.requestId === undefined) throw new Error(`${body.runnerId} does not tag its runs with the request id, so its new run cannot be found`);
    void this.waiter.waitFor(body.requestId, base.agentName).then((ended) => {
      this.panelRuns.set(runKey(body.runnerId, body.agent), { traceId: ended.traceId, agentName: ended.agentName });
      this.navigate({ view: 'compare', a: base.traceId, b: ended.traceId, filter: this.route.filter }, 'push');
    });
    const params = Object.entries(body.params).map(([name, value]) => `${name} ${value}`);
    return `Started ${body.agent}${params.length === 0 ? '' : ` (${params.join(', ')})`}: it opens beside the last run when it ends.`;
  }

  /** One of the comparisons an agent offers: runs both sides (once, when only the agent differs) and compares them when both end. */
  private async runComparison(choice: AgentChoice, comparison: AgentComparison): Promise<string> {
    const agent = choice.agent;
    const resolved = (params: Readonly<Record<string, number>> | undefined): string => {
      const reading = resolveAgentParams(agent.parameters, params ?? {});
      return JSON.stringify(reading.ok ? reading.params : params);
    };
    const request = (params: Readonly<Record<string, number>> | undefined): RunAgentRequest => ({ runnerId: choice.runnerId, agent: agent.name, params: { ...params } });
    const tagged = (body: RunAgentResponse): string => {
      if (body.requestId === undefined) throw new Error(`${body.runnerId} does not tag its runs with the request id, so its runs cannot be found`);
      return body.requestId;
    };
    let waits: [Promise<TraceSummary>, Promise<TraceSummary>];
    if (resolved(comparison.a.params) === resolved(comparison.b.params)) {
      const requestId = tagged(await this.api.runAgent(request(comparison.a.params)));
      waits = [this.waiter.waitFor(requestId, comparison.a.agentName), this.waiter.waitFor(requestId, comparison.b.agentName)];
    } else {
      const a = tagged(await this.api.runAgent(request(comparison.a.params)));
      const b = tagged(await this.api.runAgent(request(comparison.b.params)));
      waits = [this.waiter.waitFor(a, comparison.a.agentName), this.waiter.waitFor(b, comparison.b.agentName)];
    }
    void Promise.all(waits).then(([a, b]) => this.navigate({ view: 'compare', a: a.traceId, b: b.traceId, filter: this.route.filter }, 'push'));
    return `Started ${agent.name}: ${comparison.a.label} (A) and ${comparison.b.label} (B); the comparison opens when both end.`;
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
    this.waiter.offer(event.traces);
    const awaited = this.awaitedRun;
    const requested = awaited === undefined ? undefined : event.traces.find((trace) => trace.requestId === awaited.requestId);
    const selected = this.panel.selected;
    if (this.route.view === 'compare' && event.traces.some((trace) => this.route.view === 'compare' && (trace.traceId === this.route.a || trace.traceId === this.route.b))) {
      this.scheduleCompareReload();
    }
    if (selected !== undefined) {
      const summary = event.traces.find((trace) => trace.traceId === selected);
      if (summary !== undefined) this.panel.onSummary(summary);
      if (event.evicted.includes(selected)) this.panel.markEvicted();
    }
    if (requested !== undefined && awaited !== undefined) this.openRequested(requested, awaited.key);
    if (isFiltered(this.route.filter)) {
      // Which traces match is the server's to say: drop the evicted now, ask again for the rest.
      this.list.apply([], event.evicted);
      this.listView.render(this.list.traces, this.panel.selected);
      if (event.traces.length > 0) this.scheduleListReload();
    } else {
      const change = this.list.apply(event.traces, event.evicted);
      this.listView.render(this.list.traces, this.panel.selected);
      const newest = this.list.newest();
      if (requested === undefined && this.follow && this.route.view === 'trace' && newest !== undefined && newest.traceId !== this.panel.selected && change.added.includes(newest.traceId)) {
        this.select(newest.traceId, false);
      }
    }
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
      const filter = this.route.filter;
      this.api.stats(filter).then(
        (stats) => {
          const which = isFiltered(filter) ? 'matching' : 'stored';
          if (this.toolScope.value === 'all') this.panel.toolTable.show(stats.tools, `all ${stats.traceCount} ${which} trace${stats.traceCount === 1 ? '' : 's'}`);
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

function runKey(runnerId: string, agent: string): string {
  return `${runnerId}\u0000${agent}`;
}

/** "trace 4bf9… not found (evicted or never received)", for each id the server says it does not hold. */
function notFoundMessage(reason: string, ids: readonly string[]): string {
  const missing = ids.filter((id) => reason.includes(id));
  return `${(missing.length > 0 ? missing : ids).map((id) => `trace ${id}`).join(' and ')} not found (evicted or never received).`;
}
