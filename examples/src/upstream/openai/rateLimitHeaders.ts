import type { WindowState } from '../EndpointBehaviour.js';

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` headers: `20ms`, `1.5s`, `6m0s`.
 *
 * @example
 * ```ts
 * formatResetDuration(20); // '20ms'
 * formatResetDuration(1500); // '1.5s'
 * formatResetDuration(360_000); // '6m0s'
 * ```
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  if (whole < 60_000) return `${Number((whole / 1000).toFixed(3))}s`;
  const minutes = Math.floor(whole / 60_000);
  return `${minutes}m${Number(((whole - minutes * 60_000) / 1000).toFixed(3))}s`;
}

/**
 * The `x-ratelimit-*` headers OpenAI sends with every answer: limit, remaining and reset, for requests
 * and for tokens, each pair only when that limit exists.
 *
 * @example
 * ```ts
 * rateLimitHeaders(undefined, { limit: 40000, remaining: 39800, resetMs: 300 });
 * // { 'x-ratelimit-limit-tokens': '40000', 'x-ratelimit-remaining-tokens': '39800', 'x-ratelimit-reset-tokens': '300ms' }
 * ```
 */
export function rateLimitHeaders(requests: WindowState | undefined, tokens: WindowState | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [kind, state] of [['requests', requests], ['tokens', tokens]] as const) {
    if (state === undefined) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(state.remaining);
    headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(state.resetMs);
  }
  return headers;
}
