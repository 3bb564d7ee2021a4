// A local HTTP upstream for the multi-process tests: it answers after `delayMs`, and counts the requests
// it is serving at once and when each arrived. Requests to /warmup are answered at once and not counted
// (a worker's first fetch loads the HTTP client, which would skew the first arrivals).
import { createServer } from 'node:http';

export interface Upstream {
  readonly url: string;
  /** Most requests served at once so far. */
  readonly maxInFlight: number;
  /** Arrival times (performance.now() of this process), in order. */
  readonly arrivals: readonly number[];
  close(): Promise<void>;
}

export async function startUpstream(delayMs: number): Promise<Upstream> {
  let inFlight = 0;
  let maxInFlight = 0;
  const arrivals: number[] = [];
  const server = createServer((request, response) => {
    if (request.url === '/warmup') {
      response.end('ok');
      return;
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    arrivals.push(performance.now());
    setTimeout(() => {
      inFlight -= 1;
      response.end('ok');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('upstream has no address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    get maxInFlight() {
      return maxInFlight;
    },
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
