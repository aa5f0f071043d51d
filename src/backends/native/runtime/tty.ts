/**
 * Pseudo-terminals for `tty: true`.
 *
 * runc gives the container a real terminal in either of two ways: with `--console-socket` it
 * passes the terminal's master side to a listener as a file descriptor (SCM_RIGHTS), which only
 * works with `--detach`; in the foreground it keeps the master itself and copies between it
 * and its own stdio, which must then be a terminal. Node can neither receive a file descriptor
 * nor make a pseudo-terminal, and a detached runc leaves nobody to collect the exit status
 * (Node cannot become a subreaper either). So runc runs in the foreground under `script(1)`
 * (util-linux; in every Debian as part of the essential bsdutils), which gives runc a host
 * pseudo-terminal as its stdio and our pipes on its other side:
 *
 * - the program gets a real terminal of the container's own /dev/pts, as its controlling
 *   terminal (runc allocates it exactly as under Docker); runc puts the host terminal in raw
 *   mode, so it only carries bytes (no second newline translation, no echo: `-E never`);
 * - `script -e` exits with runc's status, which is the program's (128+N for a signal);
 * - the limits: the terminal size is script's default (there is no resize call in the API),
 *   and the end of stdin is typed into the terminal as ^D (what a user at a keyboard does),
 *   since closing script's stdin would not reach the program.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';

/** ^D: end of input for a program reading a terminal in canonical mode. */
export const END_OF_INPUT = Buffer.from([4]);

let available: Promise<boolean> | undefined;

/** Whether this host can give containers a TTY (util-linux `script` with `--echo`). */
export function ttyAvailable(): Promise<boolean> {
  available ??= new Promise((resolve) => {
    execFile('script', ['--help'], (error, stdout) => resolve(!error && String(stdout).includes('--echo')));
  });
  return available;
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line that runs `runc ...args` with a terminal as its stdio. */
export function underTerminal(runcArgs: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: 'script',
    args: ['-q', '-f', '-e', '-E', 'never', '-c', ['runc', ...runcArgs].map(shellQuote).join(' '), '/dev/null'],
    // script runs the command with $SHELL -c.
    env: { ...process.env, SHELL: '/bin/sh' },
  };
}

/** A terminal's input as a stream: ending it types ^D instead of closing the terminal. */
export function terminalInput(input: Writable): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      input.write(chunk, callback);
    },
    final(callback) {
      input.write(END_OF_INPUT, () => callback());
    },
  });
}
