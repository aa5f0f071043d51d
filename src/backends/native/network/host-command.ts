/**
 * Runs the host tools the network half drives (`ip`, `iptables-restore`, `unshare`, `umount`,
 * the CNI plugins): arguments as an array (never a shell), optional stdin, an environment,
 * the caller's AbortSignal, and a typed error carrying the tool's own words.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { abortErrorFrom, throwIfAborted } from '../../../core/errors.js';

/** A host tool exited with a failure; `stderr` (or stdout, for CNI plugins) says why. */
export class HostCommandError extends Error {
  /** The command line, for messages. */
  readonly command: string;
  /** Exit code (undefined when killed by a signal). */
  readonly exitCode: number | undefined;
  /** What the tool wrote to stdout. */
  readonly stdout: string;
  /** What the tool wrote to stderr. */
  readonly stderr: string;

  constructor(command: string, exitCode: number | undefined, stdout: string, stderr: string) {
    super(`${command}: ${stderr.trim() || stdout.trim() || `exit ${exitCode ?? 'by signal'}`}`);
    this.command = command;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** Options of {@link runHostCommand}. */
export interface HostCommandOptions {
  /** Written to the tool's stdin, which is then closed. */
  input?: string;
  /** The whole environment of the tool (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kills the tool (SIGKILL) and rejects with AbortError when it fires. */
  signal?: AbortSignal;
}

/**
 * Runs `file args...` and resolves its stdout; rejects with {@link HostCommandError} on a
 * non-zero exit, or with the spawn error when the tool is missing (ENOENT).
 */
export function runHostCommand(file: string, args: readonly string[], options: HostCommandOptions = {}): Promise<string> {
  throwIfAborted(options.signal);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A tool that exits before reading its stdin must not fail us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      const stdout = Buffer.concat(out).toString('utf8');
      if (options.signal?.aborted) reject(abortErrorFrom(options.signal));
      else if (code === 0) resolve(stdout);
      else reject(new HostCommandError([file, ...args].join(' '), code ?? undefined, stdout, Buffer.concat(err).toString('utf8')));
    });
  });
}
