import { OverlapError, codeGuard } from '@overlap/shared';

/**
 * The dashboard was asked to listen on an interface other machines can reach (`0.0.0.0`, a LAN address,
 * a host name) without a token: anyone on the network could then read every trace (tool inputs, outputs
 * and prompts travel in them) and run agents. Thrown by `createDashboardServer` before anything listens.
 * Set `token` (`--token`), or `insecure: true` (`--insecure`) to accept the risk.
 *
 * @example
 * ```ts
 * try {
 *   createDashboardServer({ host: '0.0.0.0' });
 * } catch (error) {
 *   if (isUnsafeExposureError(error)) console.error(error.message, error.host);
 * }
 * ```
 */
export class UnsafeExposureError extends OverlapError {
  readonly code = 'OVERLAP_UNSAFE_EXPOSURE' as const;

  constructor(
    /** The non-loopback interface that was asked for. */
    readonly host: string,
  ) {
    super(
      `refusing to listen on ${host} without a token: every machine that can reach it could read every trace and run agents. ` +
        'Set a token (--token or OVERLAP_DASHBOARD_TOKEN; option token), or pass --insecure (option insecure: true) to accept the risk.',
    );
  }
}

/** Whether `error` is an {@link UnsafeExposureError} (checked by `code`, so two installed copies agree). */
export const isUnsafeExposureError = codeGuard<UnsafeExposureError>('OVERLAP_UNSAFE_EXPOSURE');
