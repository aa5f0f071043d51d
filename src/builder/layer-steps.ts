/**
 * The steps that make layers: RUN (in a temporary container of the host), COPY and ADD (from
 * the context, a stage or an image, without a container) and WORKDIR (the directory made).
 * Each is looked up in the cache first; its key covers the parent step, the instruction as
 * expanded, the variables in scope and, for COPY/ADD, the content it copies (mtime excluded).
 *
 * @module
 */
import { posix } from 'node:path';
import { chompHeredoc } from '../core/dockerfile/types.js';
import type { Instruction } from '../core/dockerfile/types.js';
import { expandInstruction } from '../core/dockerfile/expand-instruction.js';
import { parseHeredocWord } from '../core/dockerfile/heredoc.js';
import { instructionFlags } from '../core/dockerfile/instructions.js';
import { expandWord } from '../core/dockerfile/shell-lex.js';
import { BuildError, UnsupportedError } from '../core/errors.js';
import { withShell } from './config-step.js';
import { buildCopyLayer, type Owner } from './copy.js';
import { checksumEntries, matchSources, walkSource, type CopySource } from './copy-sources.js';
import type { BuildLayer, RunStepFile } from './host.js';
import { resolveOwner } from './owner.js';
import { cacheKey, type BuildSession } from './session.js';
import { copySourceOf } from './stage-graph.js';
import { lookupOf, runEnv, type StageState } from './stage-state.js';
import { workdirLayer } from './workdir.js';

/** How a step is shown and where it stands. */
export interface StepInfo {
  /** The instruction as shown (`RUN make`). */
  instruction: string;
  /** The stage's index and name, for messages. */
  stage: { index: number; name?: string };
}

const TAIL_LINES = 20;

/** RUN: the shell (or exec) form, heredocs, the step's container, its diff. */
export async function runStep<L extends BuildLayer>(session: BuildSession<L>, state: StageState<L>, ins: Instruction, info: StepInfo): Promise<void> {
  const { report, index } = session.begin(info.instruction);
  const flags = instructionFlags(ins);
  const unsupported = ['mount', 'security', 'device'].find((f) => flags.has(f));
  if (unsupported && !session.options.runMounts) {
    throw new UnsupportedError(`RUN --${unsupported} is not supported by this backend`, { details: { step: index, instruction: info.instruction } });
  }
  const files: RunStepFile[] = [];
  let argv: string[];
  if (ins.json) {
    argv = [...ins.args];
  } else {
    let command = ins.args[0] ?? '';
    const docs = ins.heredocs ?? [];
    const only = docs.length === 1 ? parseHeredocWord(command.trim()) : undefined;
    if (only && docs[0]) {
      // `RUN <<EOF`: the body is the script; one starting with #! runs as a file of its own.
      const data = chompHeredoc(docs[0]);
      if (data.startsWith('#!')) {
        const path = `/dev/pipes/${docs[0].name}`;
        files.push({ path, content: data, mode: 0o755 });
        command = path;
      } else {
        command = data;
      }
    } else {
      for (const doc of docs) command += `\n${doc.content}${doc.name}`;
    }
    argv = withShell(state, command);
  }
  const args = state.args.map((a) => `${a.key}=${state.vars.get(a.key) ?? a.value ?? ''}`);
  const prefix = args.length > 0 ? `|${args.length} ${args.join(' ')} ` : '';
  const createdBy = `RUN ${prefix}${argv.join(' ')} # buildkit`;
  const env = runEnv(state);
  const key = cacheKey(['RUN', state.cacheKey, createdBy, env, state.config.user, state.config.workingDir, files]);
  const hit = await session.lookup(key);
  if (hit?.layer) {
    session.finish(state, { instruction: info.instruction, key, cached: true, createdBy, layer: hit.layer }, report);
    return;
  }
  const tail: string[] = [];
  let partial = '';
  const result = await session.host.run({
    layers: state.layers,
    argv,
    env,
    workingDir: state.config.workingDir || '/',
    user: state.config.user,
    files,
    onOutput: (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        report(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    },
  }, session.options.signal);
  if (partial !== '') {
    report(partial);
    tail.push(partial);
  }
  if (result.exitCode !== 0 || !result.layer) {
    const reason = result.error ?? `exit code: ${result.exitCode}`;
    throw new BuildError(`process "${argv.join(' ')}" did not complete successfully: ${reason}`, {
      details: { step: index, instruction: info.instruction, exitCode: result.exitCode, output: tail.slice(-TAIL_LINES).join('\n') },
    });
  }
  await session.host.cache.put(key, { layer: result.layer }, session.options.signal);
  session.finish(state, { instruction: info.instruction, key, cached: false, createdBy, layer: result.layer }, report);
}

/** WORKDIR: the config and, unless it is `/`, a layer that makes the directory. */
export async function workdirStep<L extends BuildLayer>(session: BuildSession<L>, state: StageState<L>, ins: Instruction, info: StepInfo): Promise<void> {
  const { report } = session.begin(info.instruction);
  const path = expandWord(ins.args[0] ?? '', lookupOf(state), { escape: session.escape });
  const dir = posix.resolve('/', state.config.workingDir || '/', path);
  state.config.workingDir = dir;
  const createdBy = `WORKDIR ${dir}`;
  const key = cacheKey(['WORKDIR', state.cacheKey, createdBy, state.config.user]);
  if (dir === '/') {
    const hit = await session.lookup(key);
    if (!hit) await session.host.cache.put(key, {}, session.options.signal);
    session.finish(state, { instruction: info.instruction, key, cached: hit !== undefined, createdBy }, report);
    return;
  }
  const hit = await session.lookup(key);
  if (hit?.layer) {
    session.finish(state, { instruction: info.instruction, key, cached: true, createdBy, layer: hit.layer }, report);
    return;
  }
  const rootfs = await session.host.openFs(state.layers, session.options.signal);
  const owner: Owner = state.config.user === '' ? { uid: 0, gid: 0 } : await resolveOwner(state.config.user, rootfs);
  const layer = await session.host.importLayer(await workdirLayer(rootfs, dir, owner, session.now()), session.options.signal);
  await session.host.cache.put(key, { layer }, session.options.signal);
  session.finish(state, { instruction: info.instruction, key, cached: false, createdBy, layer }, report);
}

/** Where a COPY reads: the context, a finished earlier stage, or an image. */
async function copySource<L extends BuildLayer>(session: BuildSession<L>, from: string | undefined, info: StepInfo, stageNames: readonly (string | undefined)[]): Promise<CopySource> {
  if (from === undefined || from === '') return { fs: session.context.fs, ignore: session.context.ignore, keepOwners: false };
  if (expandWord(from, {}, { escape: session.escape, skipUnset: false }) !== from) {
    throw new BuildError('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
  }
  const src = copySourceOf(from, stageNames.map((name) => ({ name })));
  if ('stage' in src) {
    const done = src.stage < info.stage.index ? session.stages.get(src.stage) : undefined;
    if (!done) {
      throw new BuildError(`cannot copy from stage "${from}", it needs to be defined before current stage "${info.stage.name ?? info.stage.index}"`);
    }
    return { fs: await session.host.openFs(done.layers, session.options.signal), keepOwners: true };
  }
  const image = await session.host.resolveImage(src.image, { pull: 'missing', ...(session.options.signal ? { signal: session.options.signal } : {}) });
  return { fs: await session.host.openFs(image.layers, session.options.signal), keepOwners: true };
}

function parseChmod(value: string): number {
  if (!/^[0-7]+$/.test(value) || Number.parseInt(value, 8) > 0o7777) {
    throw new BuildError(`invalid chmod parameter: '${value}'. it should be octal string and between 0 and 07777`);
  }
  return Number.parseInt(value, 8);
}

/** COPY and ADD. */
export async function copyStep<L extends BuildLayer>(
  session: BuildSession<L>, state: StageState<L>, ins: Instruction, info: StepInfo, stageNames: readonly (string | undefined)[],
): Promise<void> {
  const { report, index } = session.begin(info.instruction);
  const flags = instructionFlags(ins);
  // Refused rather than ignored: copying without them would make a different image.
  for (const f of ['parents', 'exclude', 'checksum', 'keep-git-dir']) {
    if (flags.has(f) && flags.get(f) !== 'false') {
      throw new UnsupportedError(`${ins.keyword} --${f} is not supported by this builder`, { details: { step: index, instruction: info.instruction } });
    }
  }
  const lookup = lookupOf(state);
  const word = (w: string): string => expandWord(w, lookup, { escape: session.escape });
  const from = flags.get('from') as string | undefined;
  const chown = typeof flags.get('chown') === 'string' ? word(flags.get('chown') as string) : '';
  const chmod = typeof flags.get('chmod') === 'string' ? word(flags.get('chmod') as string) : '';
  // Heredoc sources are found in the arguments as written, before expansion.
  const docsByName = new Map((ins.heredocs ?? []).map((d) => [d.name, d]));
  const inline: { name: string; content: string }[] = [];
  const rawSources: string[] = [];
  for (const raw of ins.args.slice(0, -1)) {
    const marker = ins.json ? undefined : parseHeredocWord(raw);
    const doc = marker ? docsByName.get(marker.name) : undefined;
    if (marker && doc) {
      const content = chompHeredoc(doc);
      inline.push({ name: marker.name, content: marker.expand ? expandWord(content, lookup, { escape: session.escape, skipUnset: false }) : content });
    } else {
      rawSources.push(raw);
    }
  }
  const expanded = expandInstruction({ ...ins, flags: [], args: [...rawSources, ins.args[ins.args.length - 1] ?? ''] }, lookup, { escape: session.escape });
  const sources = expanded.args.slice(0, -1);
  const destRaw = expanded.args[expanded.args.length - 1] ?? '';
  if (ins.keyword === 'ADD') {
    const url = sources.find((s) => /^https?:\/\//.test(s));
    if (url) throw new UnsupportedError(`ADD ${url}: this backend has no network to download from`, { details: { instruction: info.instruction, source: url } });
  } else if (sources.some((s) => /^https?:\/\//.test(s))) {
    throw new BuildError('source can\'t be a URL for COPY');
  }
  const keepSlash = destRaw.endsWith('/') || destRaw === '.' || destRaw === '';
  let dest = posix.resolve('/', state.config.workingDir || '/', destRaw);
  if (keepSlash && !dest.endsWith('/')) dest += '/';
  if (sources.length + inline.length > 1 && !dest.endsWith('/')) {
    throw new BuildError(`When using ${ins.keyword} with more than one source file, the destination must be a directory and end with a /`);
  }
  const source = await copySource(session, from, info, stageNames);
  const items: { source: CopySource; match: Awaited<ReturnType<typeof matchSources>>[number]; entries: Awaited<ReturnType<typeof walkSource>> }[] = [];
  const sums: string[] = [];
  for (const src of sources) {
    for (const match of await matchSources(source, src, session.options.signal)) {
      const entries = await walkSource(source, match, session.options.signal);
      items.push({ source, match, entries });
      sums.push(`${match.path}:${await checksumEntries(source, entries)}`);
    }
  }
  const createdBy = `${ins.keyword}${chown ? ` --chown=${chown}` : ''}${chmod ? ` --chmod=${chmod}` : ''}` +
    `${sources.map((s) => ` ${s}`).join('')}${inline.map((d) => ` <<${d.name}`).join('')} ${destRaw} # buildkit`;
  const key = cacheKey([ins.keyword, state.cacheKey, createdBy, from ?? '', dest, sums, inline, state.config.user]);
  const hit = await session.lookup(key);
  if (hit?.layer) {
    session.finish(state, { instruction: info.instruction, key, cached: true, createdBy, layer: hit.layer }, report);
    return;
  }
  const rootfs = await session.host.openFs(state.layers, session.options.signal);
  const owner = chown === '' ? undefined : await resolveOwner(chown, rootfs);
  const mode = chmod === '' ? undefined : parseChmod(chmod);
  const layer = await buildCopyLayer({
    add: ins.keyword === 'ADD', items, inline, dest, rootfs, now: session.now(),
    ...(owner ? { owner } : {}), ...(mode === undefined ? {} : { mode }),
  }, session.options.signal);
  const hostLayer = await session.host.importLayer(layer, session.options.signal);
  await session.host.cache.put(key, { layer: hostLayer }, session.options.signal);
  session.finish(state, { instruction: info.instruction, key, cached: false, createdBy, layer: hostLayer }, report);
}
