import { validateOption } from './validateOption.js';

/** When a tool's circuit opens and how it recovers. */
export interface CircuitBreakerOptions {
  /**
   * Failures within `windowMs` that open the circuit.
   * @defaultValue 5
   */
  failureThreshold?: number;
  /**
   * Window in which failures are counted.
   * @defaultValue 10000
   */
  windowMs?: number;
  /**
   * Time the circuit stays open before one probe call is let through (half-open).
   * @defaultValue 5000
   */
  halfOpenAfterMs?: number;
}

/** {@link CircuitBreakerOptions} with every default filled in, as `defineTool` checked them. */
export type CircuitBreakerPolicy = Readonly<Required<CircuitBreakerOptions>>;

/** State of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * Merges circuit breaker options with their defaults and checks them, so a mistake fails in
 * `defineTool` with an `InvalidOptionError` naming `option`, never on a call.
 *
 * @example
 * ```ts
 * circuitBreakerPolicy({ failureThreshold: 3 }, 'defineTool(search).circuitBreaker');
 * // { failureThreshold: 3, windowMs: 10000, halfOpenAfterMs: 5000 }
 * ```
 */
export function circuitBreakerPolicy(options: CircuitBreakerOptions, option: string): CircuitBreakerPolicy {
  validateOption.object(option, options);
  return Object.freeze({
    failureThreshold: validateOption.integer(`${option}.failureThreshold`, options.failureThreshold ?? 5, 1),
    windowMs: validateOption.finite(`${option}.windowMs`, options.windowMs ?? 10_000, 1),
    halfOpenAfterMs: validateOption.finite(`${option}.halfOpenAfterMs`, options.halfOpenAfterMs ?? 5_000, 0),
  });
}
