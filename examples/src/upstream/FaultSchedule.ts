/**
 * Which requests of an endpoint something happens to (a failure, a hang, a slow answer). Requests are
 * counted per endpoint in the order they are admitted (requests turned away with 429 are not counted).
 *
 * - `{ probability }`: each request independently, by a draw from the endpoint's seeded generator, so the
 *   same seed picks the same requests run after run;
 * - `{ pattern }`: a fixed cycle over the requests, `x` for hit and `.` for miss: `'xx.'` hits the first
 *   two of every three, starting with the first. Use it when an example must show the fault every run.
 *
 * @example
 * ```ts
 * const flaky: FaultSchedule = { probability: 0.2 }; // about one request in five
 * const twoThenOk: FaultSchedule = { pattern: 'xx.' }; // fail, fail, succeed, fail, fail, succeed...
 * ```
 */
export type FaultSchedule = { readonly probability: number } | { readonly pattern: string };

/**
 * Whether the request with 0-based `index` is hit by `schedule`. `draw` is this request's number in
 * [0, 1) from the schedule's seeded stream; the caller draws it for every request, hit or not, so the
 * stream stays aligned with the request count.
 *
 * @example
 * ```ts
 * isScheduled({ pattern: 'x.' }, 2, 0.9); // true: the third request is the first of the next cycle
 * isScheduled({ probability: 0.25 }, 7, 0.1); // true: 0.1 < 0.25
 * ```
 */
export function isScheduled(schedule: FaultSchedule | null | undefined, index: number, draw: number): boolean {
  if (schedule == null) return false;
  if ('pattern' in schedule) return schedule.pattern[index % schedule.pattern.length] === 'x';
  return draw < schedule.probability;
}
