/**
 * The runc commands the backend uses besides `run` and `exec` (which the supervisor and the
 * exec code spawn themselves, since they stream): kill, pause, resume, state, delete, list.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A failed runc command: its stderr is the message. */
export class RuncError extends Error {
  /** runc's exit code. */
  readonly exitCode: number | undefined;
  /** runc's stderr. */
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | undefined, stderr: string, cause?: unknown) {
    super(`runc ${args.join(' ')}: ${stderr.trim() || `exit ${exitCode}`}`, { cause });
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** runc's view of a container (`runc state`). */
export interface RuncState {
  /** `created`, `running`, `paused`, `stopped`. */
  status: string;
  /** Host PID of the container's init. */
  pid: number;
}

/** Runs runc against the state directory `root`. */
export class Runc {
  /** `runc --root`. */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Arguments that precede every command. */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  /** Runs a command; resolves stdout. */
  run(args: string[], signal?: AbortSignal): Promise<string> {
    const all = [...this.globalArgs(), ...args];
    return new Promise((resolve, reject) => {
      execFile('runc', all, { signal, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new RuncError(args, typeof error.code === 'number' ? error.code : undefined, String(stderr), error));
        else resolve(String(stdout));
      });
    });
  }

  /** Sends a signal (`KILL`, `TERM`, `9`...) to the container's init. */
  async kill(id: string, signal: string): Promise<void> {
    await this.run(['kill', id, signal]);
  }

  /** Freezes the container (cgroup freezer). */
  async pause(id: string): Promise<void> {
    await this.run(['pause', id]);
  }

  /** Thaws it. */
  async resume(id: string): Promise<void> {
    await this.run(['resume', id]);
  }

  /** The container's state, or undefined when runc does not know it. */
  async state(id: string): Promise<RuncState | undefined> {
    try {
      const value = JSON.parse(await this.run(['state', id])) as { status?: string; pid?: number };
      return { status: value.status ?? 'unknown', pid: value.pid ?? 0 };
    } catch (error) {
      if (error instanceof RuncError) return undefined;
      throw error;
    }
  }

  /** Whether runc keeps state for `id` (its state directory exists; no process is spawned). */
  knows(id: string): boolean {
    return existsSync(join(this.root, id));
  }

  /** Kills (when needed) and forgets a container; no error when runc does not know it. */
  async deleteForce(id: string): Promise<void> {
    // A foreground `runc run` deletes its container's state when it exits: usually nothing is left.
    if (!this.knows(id)) return;
    await this.run(['delete', '--force', id]).catch((error: unknown) => {
      if (!(error instanceof RuncError)) throw error;
    });
  }

  /** IDs of every container runc knows under this root. */
  async list(): Promise<string[]> {
    const text = await this.run(['list', '--format', 'json']).catch(() => 'null');
    const value = JSON.parse(text || 'null') as { id: string }[] | null;
    return (value ?? []).map((c) => c.id);
  }
}
