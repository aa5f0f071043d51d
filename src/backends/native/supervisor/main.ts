/**
 * The supervisor process's entry point: `node main.js <options JSON>`. Started detached by
 * the first SDK process that needs it; exits at once when another supervisor holds the root,
 * otherwise reconciles what the last one left and serves until it has been idle a while.
 *
 * @module
 */
import { chmod } from 'node:fs/promises';
import { NativeContext, type NativeNetworkSettings } from '../context.js';
import { connect } from 'node:net';
import { abstractLockName, tryAcquireLock, type HeldLock } from '../state/engine-lock.js';
import { reconcileContainers } from './reconcile.js';
import { serve } from './server.js';
import { Supervisor } from './supervisor.js';

interface MainOptions {
  root: string;
  runRoot: string;
  idleMs: number;
  network?: NativeNetworkSettings;
}

/** Answers whether a supervisor listens on the socket. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Takes the root's supervisor lock. When it is held by a supervisor that listens, we are not
 * needed (undefined); when it is held by something else for a moment (recovery at an SDK's
 * open holds it while it reconciles), we wait for it.
 */
async function singletonLock(root: string, socket: string): Promise<HeldLock | undefined> {
  const name = await abstractLockName(root, 'supervisor');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lock = await tryAcquireLock(name);
    if (lock) return lock;
    if ((await answers(socket)) || Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as MainOptions;
  const ctx = await NativeContext.open({ root: options.root, runRoot: options.runRoot, ...(options.network ? { network: options.network } : {}) });
  const singleton = await singletonLock(ctx.paths.root, ctx.paths.supervisorSocket);
  if (!singleton) return;
  const supervisor = new Supervisor(ctx);
  await reconcileContainers(ctx);
  // Nothing runs now (reconcile killed what a dead supervisor left): every sandbox, veth and
  // address reservation of this root is a leftover.
  await ctx.networks.reconcile(new Set());
  let exiting = false;
  const server = await serve(supervisor, {
    path: ctx.paths.supervisorSocket,
    idleMs: options.idleMs,
    onExit: () => {
      if (exiting) return;
      exiting = true;
      // Stop accepting first, so no new client reaches a supervisor on its way out.
      server.close();
      void singleton.release().then(() => process.exit(0));
    },
    onGone: () => {
      void supervisor.killAll().finally(() => process.exit(0));
    },
  });
  await chmod(ctx.paths.supervisorSocket, 0o600);
  process.stdout.write(`ready ${process.pid}\n`);
}

// Our children are runc processes that outlive nothing but us; a broken pipe to an attached
// client must not kill the supervisor.
process.on('SIGPIPE', () => undefined);
main().catch((error: unknown) => {
  process.stderr.write(`stowage supervisor: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
