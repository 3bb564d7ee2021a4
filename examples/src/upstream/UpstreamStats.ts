import { ENDPOINT_NAMES, type EndpointName } from './EndpointName.js';

/** Counters of one endpoint (or of all of them, in {@link UpstreamStats.total}). */
export interface EndpointStats {
  /** Requests received, those turned away with 429 included. */
  requests: number;
  /** Admitted requests not yet answered or closed. */
  inFlight: number;
  /** Most admitted requests in progress at once so far. */
  maxInFlight: number;
  /** Requests answered 200. */
  answered: number;
  /** Requests answered `429 Too Many Requests`. */
  rateLimited: number;
  /** Requests answered with a scheduled 5xx. */
  failed: number;
  /** Requests answered 400 (bad input to the endpoint). */
  rejected: number;
  /** Requests that hung (never answered). */
  hung: number;
  /** Requests the client closed before they were answered: aborted fetches, hung requests given up on. */
  closedByClient: number;
}

function zero(): EndpointStats {
  return { requests: 0, inFlight: 0, maxInFlight: 0, answered: 0, rateLimited: 0, failed: 0, rejected: 0, hung: 0, closedByClient: 0 };
}

/**
 * Live counters of the upstream, per endpoint. Read them at any time; they change as requests arrive.
 *
 * @example
 * ```ts
 * const upstream = await createUpstream();
 * // ... run an example ...
 * upstream.stats.endpoint('orders').maxInFlight; // most concurrent requests the orders API saw
 * upstream.stats.total.closedByClient;           // requests the clients gave up on
 * ```
 */
export class UpstreamStats {
  readonly #endpoints = new Map<EndpointName, EndpointStats>(ENDPOINT_NAMES.map((name) => [name, zero()]));
  /** Requests to no known path. */
  #notFound = 0;

  /** The counters of one endpoint (a copy). */
  endpoint(name: EndpointName): Readonly<EndpointStats> {
    return { ...this.#endpoints.get(name)! };
  }

  /** The counters of every endpoint added up (`maxInFlight` is the largest of any one endpoint). */
  get total(): Readonly<EndpointStats> {
    const sum = zero();
    for (const stats of this.#endpoints.values()) {
      for (const key of Object.keys(sum) as Array<keyof EndpointStats>) {
        sum[key] = key === 'maxInFlight' ? Math.max(sum[key], stats[key]) : sum[key] + stats[key];
      }
    }
    return sum;
  }

  /** Requests to paths the upstream does not serve. */
  get notFound(): number {
    return this.#notFound;
  }

  /** Every endpoint's counters, as plain data (for logs and JSON). */
  snapshot(): Record<EndpointName, EndpointStats> {
    return Object.fromEntries([...this.#endpoints].map(([name, stats]) => [name, { ...stats }])) as Record<EndpointName, EndpointStats>;
  }

  /** @internal Counts a request; the server calls these. */
  count(name: EndpointName, key: Exclude<keyof EndpointStats, 'inFlight' | 'maxInFlight'>): void {
    this.#endpoints.get(name)![key] += 1;
  }

  /** @internal A request was admitted and is in progress. */
  started(name: EndpointName): void {
    const stats = this.#endpoints.get(name)!;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  }

  /** @internal An admitted request was answered or closed. */
  finished(name: EndpointName): void {
    this.#endpoints.get(name)!.inFlight -= 1;
  }

  /** @internal */
  countNotFound(): void {
    this.#notFound += 1;
  }
}
