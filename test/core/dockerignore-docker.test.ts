import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerignoreMatcher } from '../../src/core/dockerignore.js';

// Cross-check with the real engine: build `FROM scratch` + `COPY . /ctx/` with the same
// .dockerignore and compare the files that arrive with the files our matcher keeps. Skipped
// when no engine answers.
const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });

const files = [
  'a/b/c.log', 'a/x.txt', 'a/b/deep/n.txt', 'build/keep/k', 'build/out/o', 'docs/r.md', 'docs/sub/s.md', 'src/a1.js',
  'src/c1.js', 'src/node_modules/m.js', 'node_modules/x/i.js', 'top.log', 'keep.log', 'README.md', 'x.tmp', 'q/w/e.tmp',
  'lit*', 'data.json', 'data2.json',
];

const cases: Record<string, string> = {
  'globs and exceptions': '*.log\n!keep.log\nbuild\n!build/keep\nsrc/[ab]?.js\n**/node_modules\ndocs/\n',
  'double star and classes': '**/*.tmp\na/**/n.txt\ndata[0-9].json\n/lit\\*\n# comment\n./README.md\n',
  // `!docs/*.md` rather than `!**/*.md`: the classic builder's walker prunes an excluded
  // directory unless an exception starts with its path, so it never sees docs/r.md for the
  // latter, whereas the matcher (like BuildKit) answers per path.
  'exclude all, re-include some': '*\n!src\n!a/b\nsrc/node_modules\n!docs/*.md\n',
};

function walk(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? walk(root, p) : [p];
  });
}

describe.skipIf(docker.status !== 0)('dockerignore against docker build', () => {
  let dir = '';
  const tag = `stowage-test/dockerignore:${process.pid}`;

  beforeAll(() => {
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'stowage-dockerignore-'));
    for (const f of files) {
      mkdirSync(join(dir, dirname(f)), { recursive: true });
      writeFileSync(join(dir, f), f);
    }
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
  });

  afterAll(() => {
    spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore', timeout: 30_000 });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, text] of Object.entries(cases)) {
    it(`keeps the files docker keeps: ${name}`, () => {
      writeFileSync(join(dir, '.dockerignore'), text);
      execFileSync('docker', ['build', '-q', '-t', tag, dir], {
        env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'pipe', timeout: 120_000,
      });
      const id = execFileSync('docker', ['create', tag, 'none'], { encoding: 'utf8' }).trim();
      let listing: string;
      try {
        listing = execFileSync('sh', ['-c', `docker export ${id} | tar -t`], { encoding: 'utf8', timeout: 60_000 });
      } finally {
        spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore', timeout: 30_000 });
        // Each case builds under the same tag: remove this one now, or it stays behind untagged.
        spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore', timeout: 30_000 });
      }
      const real = listing.split('\n')
        .filter((l) => l.startsWith('ctx/') && !l.endsWith('/'))
        .map((l) => l.slice(4))
        .filter((l) => l !== 'Dockerfile' && l !== '.dockerignore')
        .sort();
      const m = createDockerignoreMatcher(text);
      const ours = walk(dir).filter((f) => f !== 'Dockerfile' && f !== '.dockerignore' && !m.matches(f)).sort();
      expect(ours).toEqual(real);
    });
  }
});
