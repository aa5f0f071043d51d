/**
 * Telling a live process from a PID that was freed or reused, from /proc alone.
 *
 * A PID names a process only together with its start time: after a crash the PID in a lock or
 * temp-file name may belong to an unrelated process started later. /proc/PID/stat gives the
 * start time in clock ticks since boot; /proc/stat's `btime` gives the boot time.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/**
 * USER_HZ: the unit of /proc's tick counts. It is 100 on every architecture Linux exposes to
 * user space through /proc (the kernel converts from its internal HZ), so it needs no sysconf.
 */
const TICKS_PER_SECOND = 100;

let bootTimeMs: number | undefined;

async function bootTime(): Promise<number> {
  if (bootTimeMs === undefined) {
    const stat = await readFile('/proc/stat', 'utf8');
    const match = /^btime (\d+)$/m.exec(stat);
    bootTimeMs = match ? Number(match[1]) * 1000 : 0;
  }
  return bootTimeMs;
}

/**
 * The start time of `pid` in ms since the epoch (accurate to the 10 ms tick and to the
 * second of the boot time), or undefined when no such process exists (zombies count as gone).
 */
export async function processStartTime(pid: number): Promise<number | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); the start time is field 22.
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const ticks = Number(fields[19]);
  if (!Number.isFinite(ticks)) return undefined;
  return (await bootTime()) + (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Whether `pid` is a live process that may be the one that did something at `atMs` (it must
 * have started by then, give or take the boot time's one-second resolution).
 */
export async function processIsAlive(pid: number, atMs?: number): Promise<boolean> {
  const started = await processStartTime(pid);
  if (started === undefined) return false;
  return atMs === undefined || started <= atMs + 1000;
}
