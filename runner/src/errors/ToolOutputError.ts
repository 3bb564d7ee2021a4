import { OverlapError, codeGuard } from './OverlapError.js';
import { formatIssues, type SchemaIssue } from './ToolInputError.js';

/** A tool returned a value that does not match its output schema. */
export class ToolOutputError extends OverlapError {
  readonly code = 'OVERLAP_TOOL_OUTPUT' as const;

  constructor(
    readonly tool: string,
    readonly issues: SchemaIssue[],
  ) {
    super(`tool "${tool}" returned invalid output: ${formatIssues(issues)}`);
  }
}

/** Whether `error` is a {@link ToolOutputError}. */
export const isToolOutputError = codeGuard<ToolOutputError>('OVERLAP_TOOL_OUTPUT');
