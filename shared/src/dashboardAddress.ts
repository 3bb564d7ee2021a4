/**
 * Where the dashboard listens unless told otherwise: one definition for the dashboard's server and CLI,
 * the runner's telemetry docs and the examples' CLI and demo.
 *
 * @packageDocumentation
 */

/** The dashboard's default interface: loopback only, so nothing is exposed by accident. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';

/** The dashboard's default TCP port; deliberately not one of Jaeger's (16686, 4317, 4318). */
export const DEFAULT_DASHBOARD_PORT = 16700;

/** The dashboard's default base URL, `http://127.0.0.1:16700`. */
export const DEFAULT_DASHBOARD_URL = `http://${DEFAULT_DASHBOARD_HOST}:${DEFAULT_DASHBOARD_PORT}`;
