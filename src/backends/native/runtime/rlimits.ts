/**
 * The NOFILE limit containers get. Docker's default is 1048576 (soft and hard), set
 * explicitly so a container never inherits whatever its engine's process has (Node raises its
 * own soft limit to the hard one at start-up; that must not leak into containers).
 *
 * Raising a hard limit needs CAP_SYS_RESOURCE. A host that withholds it from us (a sandbox,
 * a restricted service) cannot give containers more than our own hard limit, and runc would
 * fail to start every container; there the limit is our hard limit, still explicit, which is
 * also what Docker's containers get on such a host.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/** Docker's default NOFILE limit. */
export const DOCKER_DEFAULT_NOFILE = 1048576;

const CAP_SYS_RESOURCE = 24n;

let cached: Promise<number> | undefined;

/** The NOFILE limit (soft = hard) to put in containers' specs. */
export function containerNofile(): Promise<number> {
  cached ??= (async () => {
    const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (capEff !== undefined && ((BigInt(`0x${capEff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n) return DOCKER_DEFAULT_NOFILE;
    const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
    const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1];
    const value = hard === undefined || hard === 'unlimited' ? DOCKER_DEFAULT_NOFILE : Number(hard);
    return Math.min(DOCKER_DEFAULT_NOFILE, value);
  })();
  return cached;
}
