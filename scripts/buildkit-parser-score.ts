/**
 * Measures our Dockerfile front end against BuildKit's own parser and lexer test data, read
 * from a BuildKit checkout (never copied into this repository):
 *
 * - `frontend/dockerfile/parser/testfiles/<case>/Dockerfile` parsed and dumped in BuildKit's AST
 *   form must equal `<case>/result`;
 * - `frontend/dockerfile/parser/testfiles-negative/<case>/Dockerfile` must fail to parse;
 * - `frontend/dockerfile/parser/testfile-line/Dockerfile` must give BuildKit's line ranges;
 * - `frontend/dockerfile/shell/envVarTest` (word expansion) and `wordsTest` (word splitting).
 *
 * Usage: `npx tsx scripts/buildkit-parser-score.ts /path/to/buildkit [-v]` or with
 * `BUILDKIT_SRC=/path/to/buildkit`. Without a checkout it says so and exits 0 (CI runs the
 * table tests in test/core instead). `-v` prints every failing case.
 *
 * @module
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dumpDockerfile, expandWord, expandWords, parseDockerfile } from '../src/core/dockerfile/index.js';

const args = process.argv.slice(2);
const verbose = args.includes('-v');
const root = args.find((a) => !a.startsWith('-')) ?? process.env['BUILDKIT_SRC'];
if (root === undefined || !existsSync(join(root, 'frontend/dockerfile/parser'))) {
  console.log('buildkit-parser-score: skipped (give a BuildKit checkout as the first argument or BUILDKIT_SRC)');
  process.exit(0);
}
const parserDir = join(root, 'frontend/dockerfile/parser');
const shellDir = join(root, 'frontend/dockerfile/shell');

interface Section {
  name: string;
  passed: number;
  total: number;
  failures: string[];
}

function section(name: string, cases: Iterable<[string, () => string | undefined]>): Section {
  const s: Section = { name, passed: 0, total: 0, failures: [] };
  for (const [label, run] of cases) {
    s.total++;
    let problem: string | undefined;
    try {
      problem = run();
    } catch (e) {
      problem = `threw ${(e as Error).message}`;
    }
    if (problem === undefined) s.passed++;
    else s.failures.push(`${label}: ${problem}`);
  }
  return s;
}

function* positiveCases(): Generator<[string, () => string | undefined]> {
  const dir = join(parserDir, 'testfiles');
  for (const name of readdirSync(dir).sort()) {
    yield [name, () => {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      const expected = readFileSync(join(dir, name, 'result'), 'utf8');
      const got = `${dumpDockerfile(parseDockerfile(text))}\n`;
      if (got === expected) return undefined;
      const g = got.split('\n');
      const e = expected.split('\n');
      const at = e.findIndex((line, i) => line !== g[i]);
      return `line ${at + 1}: expected ${JSON.stringify(e[at])}, got ${JSON.stringify(g[at])}`;
    }];
  }
}

function* negativeCases(): Generator<[string, () => string | undefined]> {
  const dir = join(parserDir, 'testfiles-negative');
  for (const name of readdirSync(dir).sort()) {
    yield [name, () => {
      try {
        parseDockerfile(readFileSync(join(dir, name, 'Dockerfile'), 'utf8'));
      } catch {
        return undefined;
      }
      return 'parsed, BuildKit refuses it';
    }];
  }
}

function* lineCases(): Generator<[string, () => string | undefined]> {
  // BuildKit's TestParseIncludesLineNumbers pins these ranges for this file.
  const file = join(parserDir, 'testfile-line/Dockerfile');
  if (!existsSync(file)) return;
  yield ['testfile-line', () => {
    const got = parseDockerfile(readFileSync(file, 'utf8')).instructions.map((i) => [i.line, i.endLine]);
    const expected = [[5, 5], [11, 12], [17, 31]];
    return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `got ${JSON.stringify(got)}`;
  }];
}

/** BuildKit's lexer test environment. */
const env = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };

function* envVarCases(): Generator<[string, () => string | undefined]> {
  const file = join(shellDir, 'envVarTest');
  if (!existsSync(file)) return;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (raw.startsWith('#') || raw.trim() === '') continue;
    const [platform = '', source = '', expected = ''] = raw.trim().split('|').map((p) => p.trim());
    if (platform === 'W') continue;
    yield [source, () => {
      let got: string;
      try {
        got = expandWord(source, env);
      } catch (e) {
        return expected === 'error' ? undefined : `error ${(e as Error).message}, expected ${JSON.stringify(expected)}`;
      }
      return got === expected ? undefined : `got ${JSON.stringify(got)}, expected ${expected === 'error' ? 'an error' : JSON.stringify(expected)}`;
    }];
  }
}

function* wordsCases(): Generator<[string, () => string | undefined]> {
  const file = join(shellDir, 'wordsTest');
  if (!existsSync(file)) return;
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('ENV ')) {
      const assignment = line.slice(3).replace(/^ +/, '');
      const eq = assignment.indexOf('=');
      vars[assignment.slice(0, eq)] = assignment.slice(eq + 1);
      continue;
    }
    const [input = '', output = ''] = line.split('|');
    const snapshot = { ...vars };
    yield [input.trim(), () => {
      const expected = output.replace(/^ +/, '').split(',');
      let got: string[];
      try {
        got = expandWords(input.trim(), snapshot);
      } catch {
        return expected.join(',') === 'error' ? undefined : 'error';
      }
      return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`;
    }];
  }
}

const sections = [
  section('parser testfiles (AST dump = result)', positiveCases()),
  section('parser testfiles-negative (must fail)', negativeCases()),
  section('parser testfile-line (line ranges)', lineCases()),
  section('shell envVarTest (expansion)', envVarCases()),
  section('shell wordsTest (word splitting)', wordsCases()),
];
for (const s of sections) {
  console.log(`${s.name}: ${s.passed}/${s.total}`);
  if (verbose) for (const f of s.failures) console.log(`  FAIL ${f}`);
}
const passed = sections.reduce((n, s) => n + s.passed, 0);
const total = sections.reduce((n, s) => n + s.total, 0);
console.log(`total: ${passed}/${total}`);
