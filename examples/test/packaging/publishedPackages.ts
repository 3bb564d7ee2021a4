// What the packaging test needs to know about the repository's published packages: where they are,
// their entry points (from each package.json's `exports`, so a new entry point is checked without an
// edit here), and the versions of their peer dependencies that the repository itself installs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repositoryRoot = join(import.meta.dirname, '..', '..', '..');

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  files?: string[];
  peerDependencies?: Record<string, string>;
}

export interface PublishedPackage {
  /** The workspace folder, such as `runner`. */
  folder: string;
  manifest: PackageJson;
  /** Import specifiers of every entry point, such as `@overlap/runner/telemetry`. */
  entryPoints: string[];
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every workspace that is not private: what `npm publish` would ship. */
export function publishedPackages(): PublishedPackage[] {
  const workspaces = readJson<{ workspaces: string[] }>(join(repositoryRoot, 'package.json')).workspaces;
  return workspaces
    .map((folder) => ({ folder, manifest: readJson<PackageJson>(join(repositoryRoot, folder, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ folder, manifest }) => ({
      folder,
      manifest,
      entryPoints: Object.keys(manifest.exports ?? { '.': null }).map((key) =>
        key === '.' ? manifest.name : `${manifest.name}/${key.replace(/^\.\//, '')}`,
      ),
    }));
}

/** The version of `name` installed in the repository (the version its own tests run with). */
export function installedVersion(name: string): string {
  return readJson<{ version: string }>(join(repositoryRoot, 'node_modules', name, 'package.json')).version;
}
