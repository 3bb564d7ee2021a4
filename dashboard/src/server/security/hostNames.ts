/**
 * Host names as the dashboard compares them: lowercase, without a port or a trailing dot, IPv6 addresses
 * in brackets (`[::1]`), which is how they appear in a `Host` header and in an origin.
 *
 * @packageDocumentation
 */

/** The names only this machine can reach the dashboard by; the Host allow-list always holds them. */
export const LOOPBACK_HOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The host name of a `Host` header (or of a listen address): lowercase, port and trailing dot removed,
 * an IPv6 address in brackets.
 *
 * @returns `undefined` for a missing or empty header.
 *
 * @example
 * ```ts
 * hostNameOf('LocalHost:16700'); // 'localhost'
 * hostNameOf('[::1]:16700');     // '[::1]'
 * hostNameOf('::1');             // '[::1]' (a listen address)
 * ```
 */
export function hostNameOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  let name = host.trim().toLowerCase();
  if (name === '') return undefined;
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    name = end === -1 ? name : name.slice(0, end + 1);
  } else if (name.split(':').length > 2) {
    // A bare IPv6 address (listen addresses are given without brackets).
    name = `[${name}]`;
  } else {
    name = name.split(':')[0] ?? '';
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name === '' ? undefined : name;
}

/**
 * Whether a listen address is a loopback one, reachable only from this machine: `localhost`, an address in
 * 127.0.0.0/8, or `::1` (also as `::ffff:127.x.x.x`). Every other address, `0.0.0.0` and `::` included,
 * counts as exposed; so does any other name, as it may resolve to anything.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0');   // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const name = hostNameOf(host);
  if (name === undefined) return false;
  if (name === 'localhost' || name === '[::1]') return true;
  const v4 = name.startsWith('[::ffff:') ? name.slice('[::ffff:'.length, -1) : name;
  return /^127(\.\d{1,3}){3}$/.test(v4) && v4.split('.').every((part) => Number(part) <= 255);
}
