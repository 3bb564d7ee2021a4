import type { ForwardResponse } from '@overlap/shared';
import { isApiError } from '../api/ApiError.js';
import { element } from '../dom/element.js';

/** What the trace actions need from the page. */
export interface TraceActionsDeps {
  /** The download URL of a trace's Jaeger UI file (`GET /api/traces/:traceId/export?format=jaeger`, token included). */
  jaegerFileUrl(traceId: string): string;
  /** Sends a trace to the server's forward targets (`POST /api/traces/:traceId/forward`). */
  forward(traceId: string): Promise<ForwardResponse>;
}

/**
 * The selected trace's actions, beside its headline: "Download for Jaeger UI" (a link to the trace's
 * Jaeger file, which Jaeger UI opens with "JSON File"), and, when the server forwards to Jaeger (its
 * `forwardTargets` are not empty), "Send to Jaeger", which has the server send the trace there and
 * says how many spans went where.
 *
 * @example
 * ```ts
 * const actions = new TraceActions(container, { jaegerFileUrl: (id) => api.exportUrl(id, 'jaeger'), forward: (id) => api.forwardTrace(id) });
 * actions.setForwardTargets((await api.info()).forwardTargets);
 * actions.show(traceId);
 * ```
 */
export class TraceActions {
  private readonly download: HTMLAnchorElement;
  private readonly send: HTMLButtonElement;
  private readonly status: HTMLElement;
  private traceId: string | undefined;
  private targets: readonly string[] = [];

  constructor(private readonly container: HTMLElement, private readonly deps: TraceActionsDeps) {
    this.download = element('a', {
      className: 'action',
      text: 'Download for Jaeger UI',
      attrs: { download: '', title: 'A Jaeger trace file of this trace: open it in Jaeger UI with "JSON File"' },
    });
    this.send = element('button', { className: 'action', text: 'Send to Jaeger', attrs: { type: 'button' } });
    this.send.hidden = true;
    this.status = element('span', { className: 'action-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.send.addEventListener('click', () => void this.sendSelected());
    container.replaceChildren(element('div', { className: 'action-buttons' }, [this.download, this.send]), this.status);
    container.hidden = true;
  }

  /** Offers "Send to Jaeger" when there is somewhere to send to. */
  setForwardTargets(targets: readonly string[]): void {
    this.targets = [...targets];
    this.send.hidden = this.targets.length === 0;
    this.send.title = `Has the dashboard send this trace, as OTLP, to ${this.targets.join(', ')}`;
  }

  /** Shows the actions of a trace (none without one). */
  show(traceId: string | undefined): void {
    if (traceId === this.traceId) return;
    this.traceId = traceId;
    this.setStatus('', 'ok');
    this.send.disabled = false;
    this.container.hidden = traceId === undefined;
    if (traceId === undefined) this.download.removeAttribute('href');
    else this.download.href = this.deps.jaegerFileUrl(traceId);
  }

  private async sendSelected(): Promise<void> {
    const traceId = this.traceId;
    if (traceId === undefined) return;
    this.send.disabled = true;
    this.setStatus('sending…', 'pending');
    try {
      const sent = await this.deps.forward(traceId);
      if (traceId !== this.traceId) return;
      this.setStatus(`sent ${sent.spans} span${sent.spans === 1 ? '' : 's'} to ${sent.targets.join(', ')}`, 'ok');
      // 202 means the dashboard queued them; its forward buffer retries a target that is down.
      this.status.title = 'queued in the dashboard\'s forward buffer, which retries a target that is down; GET /healthz shows delivery';
    } catch (error) {
      if (traceId !== this.traceId) return;
      this.setStatus(`could not send: ${isApiError(error) ? error.reason : error instanceof Error ? error.message : String(error)}`, 'error');
    } finally {
      if (traceId === this.traceId) this.send.disabled = false;
    }
  }

  private setStatus(text: string, kind: 'pending' | 'ok' | 'error'): void {
    this.status.textContent = text;
    this.status.dataset.kind = kind;
    this.status.removeAttribute('title');
  }
}
