/**
 * The cross-process lock of a state root: every mutation of shared metadata (names, tags,
 * image removal against container creation) runs under it, in whichever process (SDK or
 * supervisor) makes it.
 *
 * Why an abstract unix socket: Node has no flock(2) or fcntl locks. The alternatives were an
 * O_EXCL lock file with PID + start time (a crashed holder leaves the file behind; breaking a
 * stale lock safely needs a second protocol, and every waiter must poll) or `flock(1)` through a
 * child process per acquisition (a spawn, ~2 ms, for every metadata write). Binding a name in
 * Linux's abstract socket namespace is atomic (EADDRINUSE when held), costs one syscall, and the
 * kernel releases the name the instant the holder dies, however it dies: no stale locks, no
 * PID-reuse races. Waiters do not poll blindly either: they connect to the holder's socket and
 * retry when the holder closes it (or when their backoff timer fires, as a safety net).
 *
 * The limits, stated: abstract names are scoped to the network namespace (every Stowage
 * process runs in the host's), and any local user can see and bind them, so an unprivileged
 * process could squat the name and block the engine (deny service, never corrupt state). The
 * name carries the root's device and inode, so two spellings of one root share a lock.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { abortErrorFrom, throwIfAborted } from '../../../core/errors.js';

/** A held lock; release it with `release()` or `await using`. */
export interface HeldLock extends AsyncDisposable {
  /** Releases the lock (safe to call twice). */
  release(): Promise<void>;
}

/** The abstract-namespace name of a lock for `scope` under the root at `rootDir`. */
export async function abstractLockName(rootDir: string, scope: string): Promise<string> {
  const info = await stat(rootDir);
  const id = createHash('sha256').update(`${info.dev}:${info.ino}`).digest('hex').slice(0, 24);
  return `\0stowage-${scope}-${id}`;
}

/** A bound lock name and the waiters connected to it. */
interface Binding {
  server: Server;
  waiters: Set<Socket>;
}

function tryListen(name: string): Promise<Binding | undefined> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<Socket>();
    const server = createServer((socket) => {
      // Waiters connect only to learn when we let go: hold their sockets until then.
      socket.on('error', () => undefined);
      waiters.add(socket);
      socket.on('close', () => waiters.delete(socket));
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen({ path: name, exclusive: true }, () => resolve({ server, waiters }));
  });
}

/** Resolves when the holder of `name` lets go (its socket closes), or after `ms`. */
function waitForHolder(name: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ path: name });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.on('error', done);
    socket.on('close', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Acquires the lock `name` (from {@link abstractLockName}), waiting while another process or
 * another caller in this one holds it.
 *
 * @throws AbortError when `signal` fires while waiting
 */
export async function acquireLock(name: string, signal?: AbortSignal): Promise<HeldLock> {
  // Callers in this process queue here first, so only one of them at a time contends with
  // other processes (no socket churn among siblings).
  const previous = localTails.get(name) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((resolve) => { releaseLocal = resolve; });
  const tail = previous.then(() => mine);
  localTails.set(name, tail);
  const cleanupLocal = (): void => {
    releaseLocal();
    if (localTails.get(name) === tail) localTails.delete(name);
  };
  try {
    await abortable(previous, signal);
    const binding = await bindWhenFree(name, signal);
    let released: Promise<void> | undefined;
    const release = (): Promise<void> => {
      released ??= new Promise<void>((resolve) => {
        for (const socket of binding.waiters) socket.destroy();
        binding.server.close(() => resolve());
      }).finally(cleanupLocal);
      return released;
    };
    return { release, [Symbol.asyncDispose]: release };
  } catch (error) {
    cleanupLocal();
    throw error;
  }
}

/** The tail of each lock name's in-process queue. */
const localTails = new Map<string, Promise<void>>();

/** Waits for `promise`, or rejects with AbortError when `signal` fires first. */
function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortErrorFrom(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

/** Binds the name, waiting for other processes that hold it. */
async function bindWhenFree(name: string, signal: AbortSignal | undefined): Promise<Binding> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    const binding = await tryListen(name);
    if (binding !== undefined) return binding;
    // Jitter spreads the waiters so they do not all retry at one instant; the cap keeps a
    // missed wake-up (the holder let go between our bind and our connect) cheap.
    await waitForHolder(name, Math.min(5 + attempt * 5, 100) * (0.5 + Math.random()), signal);
  }
}

/** Runs `fn` while holding the lock `name`. */
export async function withLock<T>(name: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const lock = await acquireLock(name, signal);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * Takes the lock `name` if nobody holds it right now; resolves undefined otherwise. For
 * recovery, which must not wait for (or disturb) a live process's work.
 */
export async function tryAcquireLock(name: string): Promise<HeldLock | undefined> {
  if (localTails.has(name)) return undefined;
  const binding = await tryListen(name);
  if (binding === undefined) return undefined;
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => {
    released ??= new Promise<void>((resolve) => {
      for (const socket of binding.waiters) socket.destroy();
      binding.server.close(() => resolve());
    });
    return released;
  };
  return { release, [Symbol.asyncDispose]: release };
}
