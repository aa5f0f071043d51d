/**
 * Redirections: opening files, duplicating descriptors, here-documents.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { idsFromEnv } from '../applets/common.js';
import { errorText } from '../io.js';
import type { Redirect } from './ast.js';
import { ShellFailure } from './control.js';
import { expandString, expandWord } from './expand.js';
import { FileSink, bufferSource, closeSink, emptySource, nullSink, readableOf, writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';

/** Descriptors after a command's redirections, and how to close the files they opened. */
export interface OpenedRedirects {
  /** The descriptor table to run the command with. */
  io: FdTable;
  /** Ends the files opened for the command and waits until their data landed. */
  close: () => Promise<void>;
}

/** Applies `redirects` in order on a copy of `io`. */
export async function openRedirects(sh: Shell, redirects: Redirect[], io: FdTable): Promise<OpenedRedirects> {
  if (redirects.length === 0) return { io, close: async () => undefined };
  const fds: FdTable = new Map(io);
  const opened: Writable[] = [];
  const close = async (): Promise<void> => {
    for (const s of opened) await closeSink(s);
  };
  try {
    for (const r of redirects) await applyRedirect(sh, r, fds, opened);
  } catch (e) {
    await close();
    throw e;
  }
  return { io: fds, close };
}

async function applyRedirect(sh: Shell, r: Redirect, fds: FdTable, opened: Writable[]): Promise<void> {
  if (r.op === '<<' || r.op === '<<-') {
    const body = r.heredoc?.text ?? '';
    fds.set(r.fd, bufferSource(r.heredoc?.expand ? await expandString(body, sh) : body));
    return;
  }
  const target = await expandWord(r.target, sh);
  if (r.op === '>&' || r.op === '<&') {
    if (target === '-') {
      fds.delete(r.fd);
      return;
    }
    if (/^\d+$/.test(target)) {
      const src = fds.get(Number(target));
      if (!src) throw new ShellFailure(`${target}: Bad file descriptor`, 1, false);
      fds.set(r.fd, src);
      return;
    }
  }
  if (r.op === '<' || r.op === '<&' || r.op === '<>') {
    fds.set(r.fd, await openInput(sh, target, fds));
    return;
  }
  const special = specialOutput(target, fds);
  if (special) {
    fds.set(r.fd, special);
    return;
  }
  const path = sh.resolve(target);
  try {
    const st = await sh.fs.stat(path).catch(() => undefined);
    if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // A new file belongs to the user the shell runs as; an existing one keeps its owner.
    const owner = st ? {} : idsFromEnv((n) => sh.lookup(n));
    if (r.op === '>>' && st) await sh.fs.appendFile(path, '');
    else await sh.fs.writeFile(path, '', owner);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'nonexistent directory' : errorText(e);
    throw new ShellFailure(`can't create ${target}: ${why}`, 1, false);
  }
  const sink = new FileSink(sh.fs, path);
  sink.on('error', () => undefined);
  opened.push(sink);
  fds.set(r.fd, sink);
}

function specialOutput(target: string, fds: FdTable): Writable | undefined {
  if (target === '/dev/null') return nullSink();
  if (target === '/dev/stdout') return writableOf(fds, 1);
  if (target === '/dev/stderr') return writableOf(fds, 2);
  return undefined;
}

async function openInput(sh: Shell, target: string, fds: FdTable): Promise<Readable> {
  if (target === '/dev/null') return emptySource();
  if (target === '/dev/stdin') return readableOf(fds);
  try {
    return bufferSource(await sh.fs.readFile(sh.resolve(target)));
  } catch (e) {
    // ash's words: its own text for a missing file, the system's for anything else.
    const code = (e as { code?: string }).code;
    throw new ShellFailure(`can't open ${target}: ${code === 'ENOENT' ? 'no such file' : errorText(e)}`, 1, false);
  }
}
