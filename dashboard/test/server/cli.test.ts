import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, buildCli, runCli as run, startCli as start } from './cliProcess.js';

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
    for (const flag of ['--host', '--port', '--db', '--retention', '--max-spans', '--max-traces', '--max-body-mb', '--token', '--allowed-hosts', '--allowed-origins', '--cors-origins', '--insecure', '--max-spans-per-trace', '--max-ingest-queue']) {
      expect(stdout).toContain(flag);
    }
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

  it('--host 0.0.0.0 - refuses to start without a token: exit 2, naming --token and --insecure', () => {
    const { status, stdout, stderr } = runCli(['--host', '0.0.0.0', '--port', '0']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^overlap-dashboard: refusing to listen on 0\.0\.0\.0 without a token: .*--token.*--insecure/);
  });

  it('--insecure - starts on 0.0.0.0 without a token and warns on standard error at start', async () => {
    const child = spawn(process.execPath, [CLI, '--host', '0.0.0.0', '--port', '0', '--insecure'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (/listening on http:\/\/0\.0\.0\.0:\d+\//.test(chunk.toString())) resolve();
      });
      child.once('exit', (code: number | null) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    await expect.poll(() => stderr).toMatch(/overlap-dashboard: warning: listening on 0\.0\.0\.0 without a token \(insecure\)/);
    child.kill('SIGTERM');
  }, 30_000);

  it('--token - the token is never printed, at start, on a refused request or on a bad flag', async () => {
    const token = 'tok-4b1d-never-printed';
    let output = '';
    const { child, url, exit } = await startCli(['--port', '0', '--token', token]);
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect((await fetch(`${url}api/traces?token=wrong`)).status).toBe(401);
    expect((await fetch(`${url}api/traces?token=${token}`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const bad = runCli(['--port', '70000', '--token', token]);
    expect(bad.status).toBe(2);
    expect(output + bad.stdout + bad.stderr).not.toContain(token);
  }, 30_000);

  it('--allowed-hosts, --allowed-origins, --cors-origins - take comma-separated lists from flags and the environment; bad entries exit 2 naming the flag', async () => {
    const { child, url, exit } = await startCli(['--port', '0', '--allowed-hosts', 'dash.example.com', '--allowed-hosts', 'b.example'], { OVERLAP_DASHBOARD_CORS_ORIGINS: 'http://localhost:5173, http://localhost:5174' });
    const { probe } = await import('./httpProbe.js');
    expect((await probe(`${url}healthz`, { headers: { host: 'b.example' } })).status).toBe(200);
    expect((await probe(`${url}healthz`, { headers: { host: 'evil.example' } })).status).toBe(403);
    const preflight = await probe(`${url}v1/traces`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5174', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const badHost = runCli(['--allowed-hosts', 'http://x/']);
    expect(badHost.status).toBe(2);
    expect(badHost.stderr).toMatch(/invalid --allowed-hosts: expected a host name/);
    const badOrigin = runCli(['--allowed-origins', 'dash.example.com']);
    expect(badOrigin.status).toBe(2);
    expect(badOrigin.stderr).toMatch(/invalid --allowed-origins: expected an http\(s\) origin/);
  }, 30_000);
});
