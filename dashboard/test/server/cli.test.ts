import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli as run, startCli as start } from './cliProcess.js';

const children: ChildProcess[] = [];

beforeAll(() => {
  // Tests the built CLI, so build it from the current sources first.
  const build = buildCli();
  expect(build.ok, build.output).toBe(true);
}, 180_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const runCli = run;

/** Starts the CLI and resolves once it prints its URL. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; exit: Promise<number | null> }> {
  const started = await start(args, env, children);
  return { child: started.child, url: started.url, exit: started.exit.then(({ code }) => code) };
}

describe('overlap-dashboard CLI', () => {
  it('--help - prints the flags and exits 0', () => {
    const { status, stdout } = runCli(['--help']);
    expect(status).toBe(0);
    for (const flag of ['--host', '--port', '--db', '--retention', '--max-spans', '--max-traces', '--max-body-mb', '--token']) expect(stdout).toContain(flag);
  });

  it('bad flags - print a clear message and exit 2', () => {
    const unknown = runCli(['--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
    const notANumber = runCli(['--port', 'eighty']);
    expect(notANumber.status).toBe(2);
    expect(notANumber.stderr).toMatch(/--port <port>' argument 'eighty' is invalid/);
    const outOfRange = runCli(['--port', '70000']);
    expect(outOfRange.status).toBe(2);
    expect(outOfRange.stderr).toMatch(/invalid --port: expected an integer from 0 to 65535, received 70000/);
    const zero = runCli(['--max-spans', '0']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/invalid --max-spans: expected an integer >= 1, or Infinity, received 0/);
    const badForward = runCli(['--forward', 'ftp://example.test/v1/traces']);
    expect(badForward.status).toBe(2);
    expect(badForward.stderr).toMatch(/invalid --forward: expected an http:\/\/ or https:\/\/ URL, received "ftp:/);
    const badEnv = runCli([], { OVERLAP_DASHBOARD_PORT: 'x' });
    expect(badEnv.status).toBe(2);
  });

  it('start - prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const { child, url, exit } = await startCli(['--port', '0', '--max-traces', '10']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const health = (await (await fetch(`${url}healthz`)).json()) as { status: string; store: { maxTraces: number } };
    expect(health).toMatchObject({ status: 'ok', store: { maxTraces: 10 } });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);

  it('start - reads the port and token from the environment and exits 0 on SIGINT', async () => {
    const { child, url, exit } = await startCli([], { OVERLAP_DASHBOARD_PORT: '0', OVERLAP_DASHBOARD_TOKEN: 'from-env' });
    expect((await fetch(`${url}healthz`)).status).toBe(401);
    expect((await fetch(`${url}healthz`, { headers: { authorization: 'Bearer from-env' } })).status).toBe(200);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  }, 30_000);
});
