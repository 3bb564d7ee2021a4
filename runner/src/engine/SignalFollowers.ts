/** Something cancelled when a followed signal aborts. */
export interface SignalFollower {
  cancel(reason: unknown): void;
}

/** One follower's place in a {@link SignalFollowers} list; pass it to {@link SignalFollowers.unfollow}. */
export class FollowNode {
  prev: FollowNode | undefined = undefined;
  next: FollowNode | undefined = undefined;

  constructor(
    /** Undefined once it left or was told. */
    public follower: SignalFollower | undefined,
    readonly followers: SignalFollowers,
  ) {}
}

// Weak, so a signal nobody aborts is forgotten with its last follower's list (which is deleted then anyway).
const bySignal = new WeakMap<AbortSignal, SignalFollowers>();

/**
 * Everything that follows one `AbortSignal`, behind a single `abort` listener.
 *
 * Node's `EventTarget` looks through all of a signal's listeners on every `addEventListener` (to skip
 * duplicates), so N calls that each add their own listener to one caller signal cost O(N²). Here the
 * first follower adds the one listener, the others join an intrusive list in O(1), and the listener is
 * removed when the last follower leaves, so a signal that outlives its calls keeps no listener.
 *
 * @example
 * ```ts
 * const node = SignalFollowers.follow(signal, scope); // scope.cancel(signal.reason) when it aborts
 * SignalFollowers.unfollow(node);                      // when the scope is done
 * ```
 */
export class SignalFollowers {
  #head: FollowNode | undefined = undefined;
  #tail: FollowNode | undefined = undefined;
  #count = 0;
  /** Set while the followers are being told, so that one leaving meanwhile does not unlink the list. */
  #firing = false;
  readonly #signal: AbortSignal;

  private constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  /** Calls `follower.cancel(signal.reason)` when `signal` aborts, until {@link SignalFollowers.unfollow}. The signal must not be aborted yet. */
  static follow(signal: AbortSignal, follower: SignalFollower): FollowNode {
    let followers = bySignal.get(signal);
    if (followers === undefined) {
      followers = new SignalFollowers(signal);
      bySignal.set(signal, followers);
      signal.addEventListener('abort', followers, { once: true });
    }
    return followers.#append(follower);
  }

  /** Stops following; the last follower of a signal removes its listener. Calling it twice does nothing. */
  static unfollow(node: FollowNode): void {
    node.followers.#remove(node);
  }

  /** Followers of `signal` now (for tests and leak checks). */
  static countOf(signal: AbortSignal): number {
    const followers = bySignal.get(signal);
    return followers === undefined ? 0 : followers.#count;
  }

  #append(follower: SignalFollower): FollowNode {
    const node = new FollowNode(follower, this);
    node.prev = this.#tail;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.#count += 1;
    return node;
  }

  #remove(node: FollowNode): void {
    if (node.follower === undefined) return;
    node.follower = undefined;
    this.#count -= 1;
    if (this.#firing) return;
    if (node.prev === undefined) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
    if (this.#count === 0) {
      this.#signal.removeEventListener('abort', this);
      if (bySignal.get(this.#signal) === this) bySignal.delete(this.#signal);
    }
  }

  /** The signal aborted: tell every follower, in the order they came. */
  handleEvent(): void {
    if (bySignal.get(this.#signal) === this) bySignal.delete(this.#signal);
    this.#firing = true;
    const reason = this.#signal.reason;
    for (let node = this.#head; node !== undefined; node = node.next) {
      const follower = node.follower;
      if (follower === undefined) continue;
      node.follower = undefined;
      this.#count -= 1;
      // One follower that throws must not keep the others from being cancelled (as with one listener each).
      try {
        follower.cancel(reason);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#head = undefined;
    this.#tail = undefined;
  }
}
