/** The oldest Node.js release Overlap runs on; every package.json's `engines.node` says `>=` this. */
export declare const MINIMUM_NODE_VERSION: string;
/** Whether `version` (such as `process.versions.node`) is at least {@link MINIMUM_NODE_VERSION}. */
export declare function isSupportedNodeVersion(version: string): boolean;
/**
 * Stops the process with one line on stderr and exit code 1 when the running Node.js is older than
 * {@link MINIMUM_NODE_VERSION}; does nothing otherwise. `hint` is appended to the line.
 */
export declare function requireNodeVersion(program: string, hint?: string): void;
