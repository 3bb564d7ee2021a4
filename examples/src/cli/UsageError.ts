/** A mistake in how the CLI was called, found after parsing (a value out of range, an unknown example): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'OVERLAP_CLI_USAGE';
}

/** Exit codes of the `overlap` CLI. */
export const ExitCode = {
  OK: 0,
  /** The work failed: a run failed, the dashboard could not be reached, a file was refused. */
  FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
} as const;
