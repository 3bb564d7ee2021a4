// Starts a real redis-server for the shared gate tests and benchmark: on a free loopback port, with
// nothing saved to disk, stopped (and restartable on the same port) by the caller. With REDIS_URL set,
// that server is used instead and cannot be restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';

/** Path of the redis-server binary (Debian's `redis-server` package). */
export const REDIS_SERVER_BIN = process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server';

/** A Redis server for tests. */
export interface RedisServer {
  readonly url: string;
  /** False when it is an external server (REDIS_URL), which the tests must not stop. */
  readonly restartable: boolean;
  /** Stops the server (a clean shutdown, nothing saved). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, as a hung server. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Kills it (SIGKILL) and starts it again on the same port, with no state. */
  restart(): Promise<void>;
}

/** A fresh key prefix, so tests sharing one server never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}:`;
}

/** Starts a server on a free port, or uses REDIS_URL when it is set. */
export async function startRedisServer(): Promise<RedisServer> {
  const external = process.env['REDIS_URL'];
  if (external !== undefined && external !== '') {
    const refuse = () => Promise.reject(new Error('cannot stop or restart the external server in REDIS_URL'));
    const cannot = (): never => {
      throw new Error('cannot pause the external server in REDIS_URL');
    };
    return { url: external, restartable: false, stop: () => Promise.resolve(), kill: refuse, start: refuse, restart: refuse, pause: cannot, resume: cannot };
  }
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    try {
      let child = await spawnServer(port);
      return {
        url: `redis://127.0.0.1:${port}`,
        restartable: true,
        stop: async () => {
          await stopServer(child, 'SIGTERM');
        },
        kill: async () => {
          await stopServer(child, 'SIGKILL');
        },
        pause: () => {
          child.kill('SIGSTOP');
        },
        resume: () => {
          child.kill('SIGCONT');
        },
        start: async () => {
          child = await spawnServer(port);
        },
        restart: async () => {
          await stopServer(child, 'SIGKILL');
          child = await spawnServer(port);
        },
      };
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function spawnServer(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(REDIS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start on port ${port}: ${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        cleanup();
        resolve(child);
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`redis-server exited (${code}) on port ${port}: ${output}`));
    const fail = (error: Error): void => {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
      child.stdout!.resume();
      child.stderr!.resume();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

function stopServer(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGCONT');
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
