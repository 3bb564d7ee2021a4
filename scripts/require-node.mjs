// `npm ci`, `npm start` and `npm test` at the root run this first: one clear line and exit code 1 on a
// Node.js older than the project needs. It imports by path, since it runs before anything is installed.
import { requireNodeVersion } from '../shared/node/requireNodeVersion.js';

requireNodeVersion('Overlap', 'Run `source scripts/use-node.sh` to use a local Node.js 24 (see the README).');
