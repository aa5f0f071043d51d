/**
 * The cross-process lock around the network state of a root: two SDK processes, or an SDK
 * and the supervisor, must not both allocate a subnet, rewrite a network record or sync the
 * firewall at once.
 *
 * Everything here takes a {@link NetworkLock}, a plain function, so that the backend can pass
 * the engine lock native-run keeps for the whole root (`ctx.locked`) and there is one lock.
 * {@link createRootLock} is the stand-in used when none is given: a name in Linux's abstract
 * unix-socket namespace, bound while held. The kernel releases it the instant its holder
 * dies, however it dies, so there is no stale lock file to break (Node has no flock(2)).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { throwIfAborted } from '../../../core/errors.js';

/** Runs `fn` while holding the lock; the lock is released however `fn` ends. */
export type NetworkLock = <T>(fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

function bind(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen({ path: name, exclusive: true }, () => resolve(server));
  });
}

/**
 * A lock scoped to the directory `dir` (by device and inode, so two spellings of one path
 * share it), exclusive across processes and, through a queue, among callers in this one.
 */
export function createRootLock(dir: string): NetworkLock {
  let name: Promise<string> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  return async <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    const previous = tail;
    let done!: () => void;
    tail = new Promise<void>((resolve) => { done = resolve; });
    try {
      await previous;
      throwIfAborted(signal);
      name ??= stat(dir).then((info) => `\0stowage-network-${createHash('sha256').update(`${info.dev}:${info.ino}`).digest('hex').slice(0, 24)}`);
      const lockName = await name;
      let server: Server | undefined;
      for (let attempt = 0; !(server = await bind(lockName)); attempt++) {
        // Another process holds it: back off with jitter (holders keep it for milliseconds).
        await delay(Math.min(2 + attempt * 2, 50) * (0.5 + Math.random()));
        throwIfAborted(signal);
      }
      try {
        return await fn();
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      done();
    }
  };
}
