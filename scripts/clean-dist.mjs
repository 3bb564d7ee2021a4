// Each package's build starts here: it removes the package's dist/ so a file whose source was moved or
// deleted never lingers in a build, a test run or a published tarball.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
