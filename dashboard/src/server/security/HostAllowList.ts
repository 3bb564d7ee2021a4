import { InvalidOptionError } from '@overlap/shared';
import { LOOPBACK_HOST_NAMES, hostNameOf } from './hostNames.js';

/** A host name, or `.name` for the name and every name under it (Vite's form). */
const HOST_PATTERN = /^\.?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const BRACKETED_IPV6 = /^\[[0-9a-f:.]+\]$/;

/**
 * The host names the dashboard answers to: the `Host` header of every HTTP request and socket.io
 * handshake must name one of them (the port is not compared). A DNS-rebinding page reaches the dashboard
 * through a name its attacker controls (`evil.example` re-pointed at 127.0.0.1), so the browser sends
 * `Host: evil.example:16700`: refusing names the dashboard was not told about stops it, as Vite's
 * `server.allowedHosts` and Jupyter's `local_hostnames` do.
 *
 * Always allowed: `localhost`, `127.0.0.1`, `[::1]` and the address the server listens on. More with
 * `allowedHosts`; an entry starting with `.` allows that name and every name under it.
 *
 * @example
 * ```ts
 * const hosts = new HostAllowList('127.0.0.1', ['dash.example.com']);
 * hosts.allows('localhost:16700');    // true
 * hosts.allows('evil.example:16700'); // false
 * ```
 */
export class HostAllowList {
  readonly #exact = new Set<string>();
  readonly #suffixes: string[] = [];
  /** The allowed names, as given (loopback names first). */
  readonly names: readonly string[];

  /**
   * @param listenHost - the interface the server listens on (`host` option); allowed as a name too.
   * @param allowedHosts - more names (`allowedHosts` option), checked here.
   * @param optionName - the option named in errors.
   * @throws {@link InvalidOptionError} for an entry that is not a host name.
   */
  constructor(listenHost: string, allowedHosts: readonly string[], optionName = 'allowedHosts') {
    const names = [...LOOPBACK_HOST_NAMES];
    const listenName = hostNameOf(listenHost);
    if (listenName !== undefined && !names.includes(listenName)) names.push(listenName);
    allowedHosts.forEach((entry, i) => {
      const name = typeof entry === 'string' && !entry.includes('/') ? hostNameOf(entry) : undefined;
      if (name === undefined || (!HOST_PATTERN.test(name) && !BRACKETED_IPV6.test(name))) {
        throw new InvalidOptionError(`${optionName}[${i}]`, 'a host name such as dash.example.com, .example.com for it and its subdomains, or an IP address', entry);
      }
      if (!names.includes(name)) names.push(name);
    });
    for (const name of names) {
      if (name.startsWith('.')) this.#suffixes.push(name);
      else this.#exact.add(name);
    }
    this.names = names;
  }

  /** Whether a `Host` header names an allowed host. A missing header is refused. */
  allows(hostHeader: string | undefined): boolean {
    const name = hostNameOf(hostHeader);
    if (name === undefined) return false;
    if (this.#exact.has(name)) return true;
    return this.#suffixes.some((suffix) => name === suffix.slice(1) || name.endsWith(suffix));
  }
}
