import type { AllowedSkip } from './summarizeTestReports.mjs';

export const allowedSkips: readonly AllowedSkip[];
