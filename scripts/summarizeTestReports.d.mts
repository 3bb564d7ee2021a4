export interface AllowedSkip {
  readonly file: string;
  readonly test: string;
  readonly reason: string;
  readonly when?: () => boolean;
}

export interface TestSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly perPackage: string[];
  readonly notRun: string[];
  readonly allowedSkipsPrinted: string[];
  /** `N passed, N failed, N skipped`. */
  readonly summary: string;
}

export function summarizeTestReports(input: { root: string; reports: Map<string, unknown>; allowedSkips: readonly AllowedSkip[] }): TestSummary;
