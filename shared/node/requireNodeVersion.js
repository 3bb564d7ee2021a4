// Plain JavaScript on purpose: this file runs before anything is built or installed (npm's preinstall,
// the bin files), on whatever Node.js the user has, so it uses no syntax or API newer than Node 14.

/** The oldest Node.js release Overlap runs on; every package.json's `engines.node` says `>=` this. */
export const MINIMUM_NODE_VERSION = '22.15.0';

function parse(version) {
  return String(version).replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/**
 * Whether `version` (such as `process.versions.node`) is at least {@link MINIMUM_NODE_VERSION}.
 *
 * @example
 * isSupportedNodeVersion('20.20.2'); // false
 * isSupportedNodeVersion('24.22.3'); // true
 */
export function isSupportedNodeVersion(version) {
  const found = parse(version);
  const needed = parse(MINIMUM_NODE_VERSION);
  for (let i = 0; i < needed.length; i += 1) {
    if ((found[i] || 0) !== needed[i]) return (found[i] || 0) > needed[i];
  }
  return true;
}

/**
 * Stops the process with one line on stderr and exit code 1 when the running Node.js is older than
 * {@link MINIMUM_NODE_VERSION}; does nothing otherwise. `hint` is appended to the line.
 *
 * @example
 * requireNodeVersion('overlap-dashboard');
 * // on Node 20: "overlap-dashboard needs Node.js 22.15.0 or newer; this is Node.js 20.20.2. Install a current Node.js (22 or 24 LTS)."
 */
export function requireNodeVersion(program, hint) {
  const version = process.versions.node;
  if (isSupportedNodeVersion(version)) return;
  process.stderr.write(
    `${program} needs Node.js ${MINIMUM_NODE_VERSION} or newer; this is Node.js ${version}. ` +
      `${hint || 'Install a current Node.js (22 or 24 LTS).'}\n`,
  );
  process.exit(1);
}
