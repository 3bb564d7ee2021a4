#!/usr/bin/env node
// The `overlap` command: checks the Node.js version before loading anything that needs a current one,
// then runs the built CLI.
import { requireNodeVersion } from '@overlap/shared/require-node-version';

requireNodeVersion('overlap');
try {
  await import('../dist/cli/overlap.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/cli/overlap.js')) {
    process.stderr.write('overlap is not built: run `npm run build` in the repository first.\n');
    process.exit(1);
  }
  throw error;
}
