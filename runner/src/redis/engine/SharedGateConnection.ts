import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionState } from '../ConnectionState.js';
import { rateLimiterScript } from './scripts/rateLimiterScript.js';
import { semaphoreScript } from './scripts/semaphoreScript.js';


/** The script each kind of shared gate runs. */
export type GateScript = 'semaphore' | 'rateLimiter';

/** What a gate hears from the connection. */
export interface ConnectionListener {
  /** Routing id of the gate's grant messages. */
  readonly gateId: string;
  /** The connection is (back) up. */
  onUp(): void;
  /** The connection was lost. */
  onDown(error: Error | undefined): void;
  /** Redis granted one of this process's queue members. */
  onGrant(member: string): void;
  /** Grant messages may have been missed (the subscriber reconnected): look again. */
  onResync(): void;
}

interface ScriptCommands {
  overlapSemaphore(...args: Array<string | number>): Promise<unknown>;
  overlapRateLimiter(...args: Array<string | number>): Promise<unknown>;
}

const SCRIPT_COMMAND = { semaphore: 'overlapSemaphore', rateLimiter: 'overlapRateLimiter' } as const;
const SCRIPT_KEYS = 6;

/**
 * One process's link to Redis for its shared gates: a command connection that runs the gates' scripts,
 * and a subscriber that receives this process's grants on its own channel. It tracks whether Redis is
 * reachable and tells the gates when that changes.
 */
export class SharedGateConnection {
  readonly client: Redis;
  readonly subscriber: Redis;
  /** This process's id in queue members and the name of its grant channel. */
  readonly clientId: string;
  readonly keyPrefix: string;
  /** Prefix of every process's grant channel; the script appends the owner's client id. */
  readonly channelPrefix: string;
  #state: ConnectionState = 'connecting';
  #lastError: Error | undefined;
  #nextTicket = 0;
  readonly #listeners = new Map<string, Set<ConnectionListener>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #readyWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(url: string, keyPrefix: string, redisOptions: RedisOptions) {
    this.clientId = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x');
    this.keyPrefix = keyPrefix;
    this.channelPrefix = `${keyPrefix}grants:`;
    this.client = new Redis(url, redisOptions);
    this.client.defineCommand(SCRIPT_COMMAND.semaphore, { numberOfKeys: SCRIPT_KEYS, lua: semaphoreScript });
    this.client.defineCommand(SCRIPT_COMMAND.rateLimiter, { numberOfKeys: SCRIPT_KEYS, lua: rateLimiterScript });
    // The subscriber may queue its SUBSCRIBE until connected: it resubscribes by itself after a reconnect.
    this.subscriber = this.client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.client.on('ready', () => this.#setState('up', undefined));
    this.client.on('close', () => this.#setState('down', this.#lastError));
    this.client.on('end', () => this.#setState('down', this.#lastError));
    this.client.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.subscriber.on('error', () => {});
    this.subscriber.on('ready', () => {
      if (this.#state === 'up') for (const listener of this.#allListeners()) listener.onResync();
    });
    this.subscriber.on('message', (_channel: string, message: string) => this.#onMessage(message));
    this.subscriber.subscribe(`${this.channelPrefix}${this.clientId}`).catch(() => {});
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The last connection error, to explain why Redis is down. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** A ticket id unique in this process (and, with the client id, across processes). */
  nextTicketId(): string {
    this.#nextTicket += 1;
    return `${this.clientId}:${this.#nextTicket.toString(36)}`;
  }

  /** Keys of a gate's state, all in one hash slot. */
  keysOf(kind: 's' | 'r', name: string): string[] {
    const base = `${this.keyPrefix}{${kind}:${name}}`;
    return [`${base}:${kind === 's' ? 'leases' : 'bucket'}`, `${base}:queue`, `${base}:alive`, `${base}:seq`, `${base}:procs`, `${base}:granted`];
  }

  /** Listens for connection changes and grants of one gate; returns the disposer. */
  listen(listener: ConnectionListener): () => void {
    let set = this.#listeners.get(listener.gateId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(listener.gateId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(listener.gateId) === set) this.#listeners.delete(listener.gateId);
    };
  }

  /**
   * Runs a gate's script and resolves with its raw reply (read it with `scriptReply.ts`). Rejects at once
   * while Redis is down (the client keeps no offline queue).
   */
  run(script: GateScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    const commands = this.client as unknown as ScriptCommands;
    const pending = commands[SCRIPT_COMMAND[script]](...keys, ...args);
    this.#inFlight.add(pending);
    const forget = (): void => {
      this.#inFlight.delete(pending);
    };
    pending.then(forget, forget);
    return pending;
  }

  /** Resolves when every script sent so far has been answered (or failed). */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) {
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  /** Resolves when the connection is up; rejects when it is closed or `signal` aborts. */
  ready(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'up') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new Error('the shared gates are closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#readyWaiters = this.#readyWaiters.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#readyWaiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes both connections; scripts still in flight are answered first. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    await this.flush();
    this.#setState('closed', undefined);
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }

  #setState(state: ConnectionState, error: Error | undefined): void {
    const previous = this.#state;
    if (previous === 'closed' || previous === state) return;
    this.#state = state;
    if (state === 'up') {
      this.#lastError = undefined;
      const waiters = this.#readyWaiters;
      this.#readyWaiters = [];
      for (const waiter of waiters) waiter.resolve();
      for (const listener of this.#allListeners()) listener.onUp();
    } else if (state === 'down' || state === 'closed') {
      if (state === 'closed') {
        const waiters = this.#readyWaiters;
        this.#readyWaiters = [];
        for (const waiter of waiters) waiter.reject(new Error('the shared gates are closed'));
      }
      if (previous !== 'down') for (const listener of this.#allListeners()) listener.onDown(error);
    }
  }

  #allListeners(): ConnectionListener[] {
    const all: ConnectionListener[] = [];
    for (const set of this.#listeners.values()) all.push(...set);
    return all;
  }

  #onMessage(message: string): void {
    // Members never hold a line break; a gate's name might.
    const split = message.lastIndexOf('\n');
    if (split < 0) return;
    const listeners = this.#listeners.get(message.slice(0, split));
    if (listeners === undefined) return;
    const member = message.slice(split + 1);
    for (const listener of [...listeners]) listener.onGrant(member);
  }
}

async function quit(redis: Redis): Promise<void> {
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
