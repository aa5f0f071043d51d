/**
 * `npm run bench`: runs every benchmark, each against a peer measured in the same run, and
 * prints one table (also as Markdown, for the README). `BENCH_ONLY=fs-union,docker` picks
 * suites by name.
 */
import type { BenchResult } from './result.js';

interface Suite {
  name: string;
  load: () => Promise<() => Promise<BenchResult[]>>;
}

const suites: Suite[] = [
  { name: 'fs-union-memory', load: async () => (await import('./fs-union/memory.js')).benchMemory },
  { name: 'fs-union-apply', load: async () => (await import('./fs-union/apply.js')).benchApply },
  { name: 'emulator', load: async () => (await import('./emulator/index.js')).benchEmulator },
  { name: 'docker', load: async () => (await import('./docker/index.js')).benchDocker },
  { name: 'native', load: async () => (await import('./native/index.js')).benchNative },
  { name: 'build', load: async () => (await import('./build/index.js')).benchBuild },
  { name: 'registry', load: async () => (await import('./registry/index.js')).benchRegistry },
];

function fmt(n: number | null): string {
  if (n === null) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const results: (BenchResult & { suite: string })[] = [];
for (const suite of suites) {
  if (only && !only.some((o) => suite.name.startsWith(o))) continue;
  let bench: () => Promise<BenchResult[]>;
  try {
    bench = await suite.load();
  } catch (err) {
    console.error(`[${suite.name}] not available: ${(err as Error).message}`);
    continue;
  }
  console.error(`[${suite.name}] running...`);
  try {
    for (const r of await bench()) results.push({ ...r, suite: suite.name });
  } catch (err) {
    console.error(`[${suite.name}] failed:`, err);
    process.exitCode = 1;
  }
}

console.log('\n| benchmark | Stowage | peer | ratio | unit | note |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.unit} | ${r.note ?? ''} |`);
}
