import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envToRecord } from '../../src/core/specs/env.js';
import { expandWord } from '../../src/core/dockerfile/index.js';

// Cross-check with the real engine: a `FROM scratch` build whose ENV lines go through Docker's
// own expansion; the resulting image env must equal what expandWord computes. Skipped when no
// engine answers.
const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });

// The colon-less `${v-w}`/`${v+w}` forms are newer than Engine 20.10's lexer ("missing ':' in
// substitution"), so they are pinned by the unit tests only.
const words = [
  '$A-${A}_x', '${A:-w}', '${NOPE:-w}', '${EMPTY:-w}', '${A:+w}', '${EMPTY:+w}', '${NOPE:+w}',
  '"$A \'x\' \\$A \\" \\n"', "'$A \"x\"'", '\\$A\\ b', '${NOPE:-$A/"q r"}',
  'cost:$', 'a\\\\b', '"${SP}"', '${A}${A}',
];

describe.skipIf(docker.status !== 0)('expandWord against docker build', () => {
  it('expands ENV values exactly as the engine does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-expand-'));
    const tag = `stowage-test/expand:${process.pid}`;
    try {
      const lines = ['FROM scratch', 'ENV A=a EMPTY= SP="x y"', ...words.map((w, i) => `ENV R${i}=${w}`)];
      writeFileSync(join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
      execFileSync('docker', ['build', '-q', '-t', tag, dir], {
        env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'pipe', timeout: 120_000,
      });
      const env = envToRecord(JSON.parse(execFileSync('docker', ['inspect', '--format', '{{json .Config.Env}}', tag],
        { encoding: 'utf8' })) as string[]);
      const vars = { A: 'a', EMPTY: '', SP: 'x y' };
      words.forEach((w, i) => expect(expandWord(w, vars), w).toBe(env[`R${i}`]));
    } finally {
      spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore', timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
