// The built `overlap-dashboard` CLI as the tests run it: built once from the current sources (a lock
// keeps two test files from building at the same time), then started as a real process.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(DASHBOARD_DIR, 'dist', 'server', 'cli.js');
const BUILD_LOCK = join(DASHBOARD_DIR, 'dist', '.cli-build.lock');

/** Builds the server (`tsc -p tsconfig.build.json`) from the current sources; returns the build's output when it failed. */
export function buildCli(): { ok: boolean; output: string } {
  mkdirSync(join(DASHBOARD_DIR, 'dist'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() > deadline) return { ok: false, output: `${BUILD_LOCK} held for three minutes` };
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: DASHBOARD_DIR, encoding: 'utf8' });
    return { ok: build.status === 0, output: build.stdout + build.stderr };
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** Runs the CLI to its end. */
export function runCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A started CLI process. */
export interface StartedCli {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the CLI and resolves once it prints its URL. */
export function startCli(args: string[], env: Record<string, string> = {}, children: ChildProcess[] = []): Promise<StartedCli> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+\/)/.exec(output);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], output: () => output, exit });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code} before listening: ${output}`)));
  });
}
