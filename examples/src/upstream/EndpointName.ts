/**
 * The endpoints of the local upstream, one per API the example tools call. Each has its own latency,
 * rate limit and fault schedule ({@link EndpointOptions}).
 */
export const ENDPOINT_NAMES = [
  'weather',
  'userStatus',
  'orders',
  'kbSearch',
  'faq',
  'vectorStore',
  'database',
  'materials',
  'userProfile',
  'template',
  'model',
  'largeModel',
  'smallModel',
] as const;

/** Name of one endpoint of the local upstream, such as `orders` or `model`. */
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/**
 * Whether `value` names an endpoint.
 *
 * @example
 * ```ts
 * isEndpointName('orders'); // true
 * isEndpointName('payments'); // false
 * ```
 */
export function isEndpointName(value: unknown): value is EndpointName {
  return typeof value === 'string' && (ENDPOINT_NAMES as readonly string[]).includes(value);
}
