/**
 * `docker exec` and `docker attach` in the emulator.
 *
 * An exec'd process is an {@link EmulatedProcess} that is not PID 1: it shares the
 * container's filesystem, network and freezer, and dies with the container. A command that
 * cannot be found is reported the way the Docker CLI shows it (the runtime's message on
 * stderr, exit status 127 or 126) instead of failing the call; so are an unknown user or
 * group and a relative working directory (message on stdout, 126, as Engine 20.10 gives).
 *
 * @module
 */
import { PassThrough } from 'node:stream';
import type { ExecProcess, ExecRequest, ProcessIO } from '../../../core/backend.js';
import { ConflictError } from '../../../core/errors.js';
import { isExecFailure } from './exec-failure.js';
import { isUnknownAccount } from './user.js';
import type { EmulatedProcess } from './process.js';
import type { ContainerRecord } from './record.js';
import { emitContainer, startContainerProcess, type RuntimeDeps } from './runtime.js';
import { TerminalOutput } from './terminal.js';

/** @throws ConflictError with Docker's texts when the container is not running or is paused */
export function assertExecutable(record: ContainerRecord): void {
  if (record.state.status === 'paused') {
    throw new ConflictError(`Container ${record.id} is paused, unpause the container before exec`, { details: { container: record.id } });
  }
  if (record.state.status !== 'running' || !record.main) {
    throw new ConflictError(`Container ${record.id} is not running`, { details: { container: record.id } });
  }
}

/** Starts `request.argv` inside a running container. */
export async function execInContainer(deps: RuntimeDeps, record: ContainerRecord, request: ExecRequest): Promise<ExecProcess> {
  assertExecutable(record);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = request.stdin ? new PassThrough() : null;
  // A terminal has one output stream, with the line discipline's \r\n.
  const terminal = request.tty ? new TerminalOutput(stdout) : undefined;
  emitContainer(deps, record, 'exec', { execCommand: request.argv.join(' ') });
  let proc: EmulatedProcess | undefined;
  let exit: Promise<number>;
  // What Engine 20.10 answers when the process cannot be set up: the runtime's text in the
  // output stream (stdout, as the engine writes it), exit status 126, no error for the call.
  const refused = (text: string): ExecProcess => {
    stdout.end(`${text}\r\n`);
    stderr.end();
    stdin?.end();
    return { stdin, stdout, stderr, exit: Promise.resolve(126), kill: async () => undefined };
  };
  if (request.workingDir !== undefined && request.workingDir !== '' && !request.workingDir.startsWith('/')) {
    return refused('OCI runtime exec failed: exec failed: Cwd must be an absolute path: unknown');
  }
  try {
    proc = await startContainerProcess(deps, record, {
      argv: request.argv,
      env: request.env,
      user: request.user,
      workingDir: request.workingDir,
      pid1: false,
      ...(stdin === null ? {} : { stdin }),
      stdout: terminal ?? stdout,
      stderr: terminal ?? stderr,
    });
    const running = proc;
    record.execs.add(running);
    exit = running.exit.then((code) => {
      record.execs.delete(running);
      (terminal ?? stdout).end();
      stderr.end();
      return code;
    });
  } catch (e) {
    if (isUnknownAccount(e)) return refused(e.message);
    if (!(isExecFailure(e))) throw e;
    const out = request.tty ? stdout : stderr;
    out.write(`OCI runtime exec failed: exec failed: unable to start container process: ${e.message}: unknown\r\n`);
    stdout.end();
    stderr.end();
    stdin?.end();
    exit = Promise.resolve(e.exitCode);
  }
  const started = proc;
  return {
    stdin,
    stdout,
    stderr,
    exit,
    kill: async (signal = 'SIGKILL') => {
      started?.deliver(signal);
    },
  };
}

/**
 * The main process's streams: output written from now on (or from the next start), and its
 * stdin when the container was created with `openStdin` and `stdin` is asked for.
 *
 * @throws ConflictError when the container is paused
 */
export function attachToContainer(record: ContainerRecord, wantStdin: boolean): ProcessIO {
  if (record.state.status === 'paused') {
    throw new ConflictError(`You cannot attach to a paused container, unpause it first`, { details: { container: record.id } });
  }
  // Before a start (as `docker run` attaches) the readers wait for the next run's output.
  const stdout = attachReader(record.attached.stdout);
  const stderr = record.config.tty ? endedStream() : attachReader(record.attached.stderr);
  return { stdin: wantStdin && record.stdin ? record.stdin : null, stdout, stderr };
}

function attachReader(readers: Set<PassThrough>): PassThrough {
  const reader = new PassThrough();
  readers.add(reader);
  reader.on('close', () => readers.delete(reader));
  return reader;
}

function endedStream(): PassThrough {
  const s = new PassThrough();
  s.end();
  return s;
}
