/**
 * Random values at every public method (issue 12, "Strict inputs, typed errors only"): wrong
 * types, unknown keys and near misses, huge strings, NaN, negative numbers, symbols, nested
 * junk. Whatever comes out is a Stowage error (never a ZodError, TypeError or RangeError), on
 * the emulator and on docker, and the engine is still consistent afterwards: what exists can
 * be listed and inspected, and a fresh create + start + wait works.
 *
 * Calls that happen to be valid do what they say; the fixtures they consume (a container that
 * gets killed or removed, a volume, a network, a tag) are put back before the next run, and
 * every resource a call creates is removed at the end. Nothing talks to a registry other than
 * 127.0.0.1:1, where nothing listens (see `localRef`).
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Container } from '../../src/core/container.js';
import { Engine } from '../../src/core/engine.js';
import { NotFoundError, StowageError } from '../../src/core/errors.js';
import type { Image } from '../../src/core/image.js';
import type { Network } from '../../src/core/network.js';
import type { Volume } from '../../src/core/volume.js';
import {
  dockerfileStages, dumpDockerfile, familiarName, formatContainerStatus, formatDockerfile, humanDuration, parseDockerfile, parseImageRef,
} from '../../src/index.js';
import { describeOnBackends, type OracleContext } from './oracle.js';
import { arg, junkValue, localRef, localRefs, missingPath, settle } from './junk.js';

/** The fixtures the methods are called on; put back before every run if a call consumed them. */
interface Fixtures {
  container: Container;
  image: Image;
  volume: Volume;
  network: Network;
}

/** A public method and how to call it with two random arguments. */
type Method = (f: Fixtures, a: unknown, b: unknown) => unknown;

const specKeys = ['image', 'name', 'cmd', 'entrypoint', 'env', 'workingDir', 'user', 'hostname', 'labels', 'tty', 'openStdin', 'volumes',
  'volumesFrom', 'ports', 'publishAll', 'exposedPorts', 'links', 'network', 'networkAliases', 'autoRemove', 'stopSignal', 'stopTimeout'];

/** Every public method, by name, with the keys its option bag knows (for plausible bags). */
function methods(ctx: OracleContext, tempDir: () => string): Record<string, { keys?: [string[], string[]?]; call: Method }> {
  const e = (): Engine => ctx.engine;
  // Blocking calls that happen to be valid (wait, stop of a process that ignores SIGTERM,
  // follow) end after a bound: an AbortError is a Stowage error like any other.
  const bounded = (o: unknown): unknown => {
    const signal = AbortSignal.timeout(500);
    if (o === undefined) return { signal };
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return o;
    const given = (o as { signal?: unknown }).signal;
    if (!('signal' in o)) return { ...o, signal };
    // A real signal of the junk's own (one that never fires) is bounded too.
    if (given instanceof AbortSignal) return { ...o, signal: AbortSignal.any([given, signal]) };
    return o;
  };
  return {
    'Engine.open': {
      // Emulator options only: a plausible docker `host` would send the client to some host.
      keys: [['programs', 'clock', 'portRange', 'idSource', 'logBytes', 'imageSources', 'registry']],
      call: async (_f, a) => {
        const options = typeof a === 'object' && a !== null && !Array.isArray(a) ? { ...a, backend: 'emulator' } : a;
        await (await Engine.open(options as never)).close();
      },
    },
    'new Engine': { call: (_f, a) => new Engine(a as never) },
    'containers.create': { keys: [specKeys], call: (_f, a, b) => e().containers.create(localRefs(a) as never, b as never) },
    'containers.run': { keys: [[...specKeys, 'pull']], call: (_f, a, b) => e().containers.run(localRefs(a) as never, bounded(b) as never) },
    'containers.list': { keys: [['all', 'filters']], call: (_f, a) => e().containers.list(a as never) },
    'containers.get': { call: (_f, a, b) => e().containers.get(a as never, b as never) },
    'container.start': { call: (f, a) => f.container.start(a as never) },
    'container.wait': { call: (f, a) => f.container.wait(bounded(a) as never) },
    'container.stop': { keys: [['timeout']], call: (f, a) => f.container.stop(bounded(a) as never) },
    'container.restart': { keys: [['timeout']], call: (f, a) => f.container.restart(bounded(a) as never) },
    'container.kill': { keys: [['signal'], ['signal']], call: (f, a, b) => f.container.kill(a as never, b as never) },
    'container.pause': { call: (f, a) => f.container.pause(a as never) },
    'container.unpause': { call: (f, a) => f.container.unpause(a as never) },
    'container.rename': { call: (f, a, b) => f.container.rename(a as never, b as never) },
    'container.remove': { keys: [['force', 'volumes']], call: (f, a) => f.container.remove(a as never) },
    'container.inspect': { call: (f, a) => f.container.inspect(a as never) },
    'container.exec': { keys: [[], ['env', 'workingDir', 'user', 'stdin', 'maxBuffer', 'encoding']], call: (f, a, b) => f.container.exec(a as never, bounded(b) as never) },
    'container.spawn': { keys: [[], ['stdin', 'tty', 'env', 'workingDir', 'user']], call: (f, a, b) => f.container.spawn(a as never, bounded(b) as never) },
    'container.attach': { keys: [['stdin']], call: (f, a) => f.container.attach(a as never) },
    'container.logs': {
      keys: [['follow', 'stdout', 'stderr', 'timestamps', 'since', 'until', 'tail']],
      call: (f, a) => f.container.logs(bounded(a) as never),
    },
    'container.diff': { call: (f, a) => f.container.diff(a as never) },
    'container.commit': { keys: [['repo', 'tag', 'message', 'author', 'pause', 'changes']], call: (f, a) => f.container.commit(localRefs(a) as never) },
    'container.putArchive': { call: (f, a, b) => f.container.putArchive(a as never, b as never) },
    'container.getArchive': { call: (f, a, b) => f.container.getArchive(a as never, b as never) },
    'container.export': { call: (f, a) => f.container.export(a as never) },
    'container.port': { keys: [[], ['protocol']], call: (f, a, b) => f.container.port(a as never, b as never) },
    'images.pull': { keys: [[], ['onProgress', 'platform']], call: (_f, a, b) => e().images.pull(localRef(a) as never, bounded(b) as never) },
    'images.import': { keys: [[], ['ref', 'changes', 'message']], call: (_f, a, b) => e().images.import(missingPath(a, tempDir()) as never, localRefs(b) as never) },
    'images.build': {
      keys: [['context', 'dockerfile', 'tags', 'buildArgs', 'target', 'noCache', 'labels', 'onProgress']],
      call: (_f, a) => {
        const spec = localRefs(a);
        const context = (spec as { context?: unknown } | null)?.context;
        return e().images.build((typeof spec === 'object' && spec !== null ? { ...spec, context: missingPath(context, tempDir()) } : spec) as never);
      },
    },
    'images.load': { call: (_f, a, b) => e().images.load(a as never, b as never) },
    'images.list': { call: (_f, a) => e().images.list(a as never) },
    'images.get': { call: (_f, a, b) => e().images.get(a as never, b as never) },
    'image.inspect': { call: (f, a) => f.image.inspect(a as never) },
    'image.history': { call: (f, a) => f.image.history(a as never) },
    'image.tag': { call: (f, a, b) => f.image.tag(localRef(a) as never, b as never) },
    'image.remove': { keys: [['force']], call: (f, a) => f.image.remove(a as never) },
    'image.push': { keys: [['ref', 'onProgress']], call: (f, a) => f.image.push(bounded(localRefs(a)) as never) },
    'image.save': { keys: [['format']], call: (f, a) => f.image.save(a as never) },
    'volumes.create': { keys: [['name', 'labels']], call: (_f, a) => e().volumes.create(a as never) },
    'volumes.list': { call: (_f, a) => e().volumes.list(a as never) },
    'volumes.get': { call: (_f, a, b) => e().volumes.get(a as never, b as never) },
    'volume.inspect': { call: (f, a) => f.volume.inspect(a as never) },
    'volume.remove': { keys: [['force']], call: (f, a) => f.volume.remove(a as never) },
    'networks.create': { keys: [['name', 'subnet', 'internal', 'labels']], call: (_f, a) => e().networks.create(a as never) },
    'networks.list': { call: (_f, a) => e().networks.list(a as never) },
    'networks.get': { call: (_f, a, b) => e().networks.get(a as never, b as never) },
    'network.inspect': { call: (f, a) => f.network.inspect(a as never) },
    'network.connect': { keys: [[], ['aliases']], call: (f, a, b) => f.network.connect(a as never, b as never) },
    'network.disconnect': { keys: [[], ['force']], call: (f, a, b) => f.network.disconnect(a as never, b as never) },
    'network.remove': { call: (f, a) => f.network.remove(a as never) },
    'events.on/off': {
      call: (_f, a, b) => {
        e().events.on(a as never, b as never);
        e().events.off(a as never, b as never);
      },
    },
    parseDockerfile: { call: (_f, a) => parseDockerfile(a as never) },
    dockerfileStages: { call: (_f, a) => dockerfileStages(a as never) },
    dumpDockerfile: { call: (_f, a) => dumpDockerfile(a as never) },
    formatDockerfile: { call: (_f, a) => formatDockerfile(a as never) },
    parseImageRef: { call: (_f, a, b) => parseImageRef(a as never, b as never) },
    familiarName: { call: (_f, a) => familiarName(a as never) },
    humanDuration: { call: (_f, a) => humanDuration(a as never) },
    formatContainerStatus: { call: (_f, a) => formatContainerStatus(a as never) },
  };
}

/** Whether `ref` still exists (false only on NotFoundError). */
async function exists(get: () => Promise<unknown>): Promise<boolean> {
  return get().then(() => true, (e: unknown) => {
    if (e instanceof NotFoundError) return false;
    throw e;
  });
}

describeOnBackends('junk at every public method', (ctx) => {
  let dir: string;
  let fixtures: Fixtures;
  const label = { 'org.stowage.test': `junk-${process.pid}` };
  const names = { container: '', volume: '', network: '', tag: '' };
  const disposables: AsyncDisposable[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-junk-'));
    names.container = ctx.unique('junk-ctr');
    names.volume = ctx.unique('junk-vol');
    names.network = ctx.unique('junk-net');
    // On 127.0.0.1:1, so that a push that happens to be valid goes nowhere.
    names.tag = `127.0.0.1:1/${ctx.unique('junk-img')}:t`;
  });

  afterAll(async () => {
    for (const d of disposables.reverse()) await Promise.resolve(d[Symbol.asyncDispose]()).catch(() => undefined);
    const e = ctx.engineOrUndefined;
    if (e) {
      for (const row of await e.containers.list({ all: true, filters: { label: [`org.stowage.test=${label['org.stowage.test']}`] } })) {
        await (await e.containers.get(row.id)).remove({ force: true, volumes: true }).catch(() => undefined);
      }
      await e.images.get(names.tag).then((i) => i.remove({ force: true })).catch(() => undefined);
      await e.volumes.get(names.volume).then((v) => v.remove({ force: true })).catch(() => undefined);
      await e.networks.get(names.network).then((n) => n.remove()).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** Puts back what earlier calls consumed: a running container, the tag, the volume, the network. */
  async function ensureFixtures(): Promise<Fixtures> {
    const e = ctx.engine;
    let container = fixtures?.container;
    if (!container || !(await exists(() => container!.inspect()))) {
      container = await e.containers.create({ image: ctx.image, name: ctx.unique('junk-ctr'), cmd: ['sleep', '1000'], labels: label, stopTimeout: 1 });
    }
    const state = (await container.inspect()).state;
    if (state.paused) await container.unpause();
    if (!state.running) await container.start();
    if (!(await exists(() => e.images.get(names.tag)))) await (await e.images.get(ctx.image)).tag(names.tag);
    const image = await e.images.get(names.tag);
    const volume = (await exists(() => e.volumes.get(names.volume))) ? await e.volumes.get(names.volume) : await e.volumes.create({ name: names.volume, labels: label });
    const network = (await exists(() => e.networks.get(names.network))) ? await e.networks.get(names.network) : await e.networks.create({ name: names.network, labels: label });
    fixtures = { container, image, volume, network };
    return fixtures;
  }

  const runs = Number(process.env.STOWAGE_JUNK_RUNS ?? (ctx.backend === 'emulator' ? 25 : 6));
  const table = methods(ctx, () => dir);

  it.each(Object.keys(table))('%s: only Stowage errors come out', { timeout: 180_000 }, async (name) => {
    const [first = [], second = []] = table[name]!.keys ?? [];
    // Collected over all runs (not thrown at the first), so one run lists every kind of leak.
    const offenders = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(arg(first), arg(second), async (a, b) => {
        const f = await ensureFixtures();
        const { errors, disposables: made } = await settle(() => table[name]!.call(f, a, b));
        disposables.push(...made);
        for (const error of errors) {
          if (error instanceof StowageError) continue;
          const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          const key = what.slice(0, 80);
          if (!offenders.has(key)) offenders.set(key, `${name}(${fc.stringify(a).slice(0, 200)}, ${fc.stringify(b).slice(0, 200)}) -> ${what}`);
        }
      }),
      { numRuns: runs },
    );
    expect([...offenders.values()]).toEqual([]);
  });

  it('the engine is consistent afterwards: what exists lists and inspects, and a fresh run works', async () => {
    const e = ctx.engine;
    const mine = await e.containers.list({ all: true, filters: { label: [`org.stowage.test=${label['org.stowage.test']}`] } });
    expect(mine.length).toBeGreaterThan(0);
    for (const row of mine) expect((await (await e.containers.get(row.id)).inspect()).id).toBe(row.id);
    for (const v of (await e.volumes.list()).filter((x) => x.labels['org.stowage.test'] === label['org.stowage.test'])) {
      expect((await (await e.volumes.get(v.name)).inspect()).name).toBe(v.name);
    }
    expect((await e.images.list()).length).toBeGreaterThan(0);
    expect((await e.networks.list()).some((n) => n.name === 'bridge')).toBe(true);
    const fresh = await e.containers.create({ image: ctx.image, name: ctx.unique('junk-after'), cmd: ['sh', '-c', 'exit 3'], labels: label });
    await fresh.start();
    expect((await fresh.wait()).exitCode).toBe(3);
  });

  it('junk values reach the checks (the generator is not all undefined)', () => {
    const sample = fc.sample(junkValue, { numRuns: 200, seed: 1 });
    expect(new Set(sample.map((v) => (v === null ? 'null' : typeof v))).size).toBeGreaterThanOrEqual(6);
  });
}, { backends: ['emulator', 'docker', 'native'] });
