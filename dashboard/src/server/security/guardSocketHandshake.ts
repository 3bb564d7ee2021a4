import type { IncomingMessage } from 'node:http';
import type { HostAllowList } from './HostAllowList.js';
import type { OriginPolicy } from './OriginPolicy.js';
import { hostRefusalMessage, originRefusalMessage } from './refusalMessages.js';

/**
 * socket.io's `allowRequest`: checks every handshake, long-polling and WebSocket alike and for both
 * namespaces (they share the one engine connection being opened), with the HTTP checks' rules. The
 * `Host` must be on the allow-list (DNS rebinding), and a browser's `Origin` must be the dashboard's own
 * page or listed in `allowedOrigins` (cross-site WebSocket hijacking: browsers apply no same-origin rule
 * to WebSockets, so the server has to). Clients without `Origin` (the runner's live channel, Node
 * socket.io clients) pass. engine.io answers a refusal with 403 (polling) or 400 (WebSocket) and the
 * message.
 *
 * @example
 * ```ts
 * new Server(httpServer, { allowRequest: guardSocketHandshake(hosts, origins) });
 * ```
 */
export function guardSocketHandshake(hosts: HostAllowList, origins: OriginPolicy): (req: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) => void {
  return (req, callback) => {
    if (!hosts.allows(req.headers.host)) {
      callback(hostRefusalMessage(req.headers.host, hosts), false);
      return;
    }
    const fetchSite = req.headers['sec-fetch-site'];
    const source = origins.classify(req.headers.origin, req.headers.host, typeof fetchSite === 'string' ? fetchSite : undefined);
    if (source === 'no-browser' || source === 'same-origin' || source === 'allowed-origin') {
      callback(null, true);
      return;
    }
    callback(originRefusalMessage(req.headers.origin, 'Opening the live channel', false), false);
  };
}
