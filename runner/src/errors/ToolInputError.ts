import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from './OverlapError.js';

/** One problem a schema found in a value. */
export interface SchemaIssue {
  /** What is wrong, as the schema library words it. */
  message: string;
  /** Where in the value, as keys and indexes from the root; empty for the root itself. */
  path: Array<string | number>;
}

/** A tool's input did not match its input schema (or was not valid JSON). The tool body did not run. */
export class ToolInputError extends OverlapError {
  readonly code = 'OVERLAP_TOOL_INPUT' as const;
  /** A call that fails with it never ran: its outcome is `rejected`. */
  readonly outcome = Outcome.REJECTED;

  constructor(
    readonly tool: string,
    /** Every issue the schema reported. */
    readonly issues: SchemaIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid input for tool "${tool}": ${formatIssues(issues)}`, options);
  }
}

/** Whether `error` is a {@link ToolInputError}. */
export const isToolInputError = codeGuard<ToolInputError>('OVERLAP_TOOL_INPUT');

/** Formats issues as `path: message; path: message`. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
