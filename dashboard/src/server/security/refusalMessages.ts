/**
 * The words of the security refusals, shared by HTTP and the socket.io handshake: what was refused, why,
 * and the option (flag and `createDashboardServer` option) that opens it.
 *
 * @packageDocumentation
 */
import type { HostAllowList } from './HostAllowList.js';
import { hostNameOf } from './hostNames.js';

/** Stable codes of the security refusals (the `code` of `{ error }` bodies). */
export const RefusalCode = {
  HOST_NOT_ALLOWED: 'host_not_allowed',
  ORIGIN_NOT_ALLOWED: 'origin_not_allowed',
} as const;

/** Why a `Host` header was refused, and how to allow it. */
export function hostRefusalMessage(hostHeader: string | undefined, hosts: HostAllowList): string {
  const name = hostNameOf(hostHeader);
  const shown = hostHeader === undefined ? 'a request without a Host header' : `Host ${JSON.stringify(hostHeader.slice(0, 200))}`;
  const fix = name === undefined ? '' : `; to reach it by that name on purpose, start it with --allowed-hosts ${name} (option allowedHosts)`;
  return `${shown} is not a name this dashboard answers to (${hosts.names.join(', ')})${fix}. This check keeps DNS-rebinding web pages out.`;
}

/** Why a page's `Origin` was refused, and how to trust it. */
export function originRefusalMessage(originHeader: string | undefined, what: string, ingest: boolean): string {
  const origin = originHeader === undefined ? 'another site (Sec-Fetch-Site)' : JSON.stringify(originHeader.slice(0, 200));
  const listed = originHeader !== undefined && originHeader !== 'null' ? originHeader.slice(0, 200) : '<origin>';
  const cors = ingest ? `, or --cors-origins ${listed} (option corsOrigins) to let its pages send spans only` : '';
  return `${what} from a web page on ${origin} is refused: only the dashboard's own page may do that. To trust that origin, start the dashboard with --allowed-origins ${listed} (option allowedOrigins)${cors}.`;
}
