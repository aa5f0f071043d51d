import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { createDockerignoreMatcher, readDockerignore } from '../../src/core/dockerignore.js';

describe('readDockerignore', () => {
  it('cleans patterns and drops comments and blank lines', () => {
    expect(readDockerignore('\uFEFF# comment\n\n  ./a/b/  \n/c\n!/d/./e\n #not a comment\r\n/\n')).toEqual([
      { pattern: 'a/b', exclusion: false },
      { pattern: 'c', exclusion: false },
      { pattern: 'd/e', exclusion: true },
      { pattern: '#not a comment', exclusion: false },
      { pattern: '/', exclusion: false },
    ]);
  });

  it('refuses a lone !', () => {
    expect(() => readDockerignore('a\n!\n')).toThrow('illegal exclusion pattern: "!"');
  });
});

describe('createDockerignoreMatcher', () => {
  it('excludes a directory and everything beneath it', () => {
    const m = createDockerignoreMatcher('node_modules\n');
    expect(m.matches('node_modules')).toBe(true);
    expect(m.matches('node_modules/a/b.js')).toBe(true);
    expect(m.matches('src/node_modules')).toBe(false);
    expect(m.matches('node_modules2')).toBe(false);
  });

  it('keeps * and ? inside one path segment', () => {
    const m = createDockerignoreMatcher('*.log\ndocs/?.md\n');
    expect(m.matches('a.log')).toBe(true);
    expect(m.matches('sub/a.log')).toBe(false);
    expect(m.matches('docs/a.md')).toBe(true);
    expect(m.matches('docs/ab.md')).toBe(false);
  });

  it('lets ** cross directories, at the start, middle and end', () => {
    const m = createDockerignoreMatcher('**/*.tmp\na/**/z\nbuild/**\n');
    expect(m.matches('x.tmp')).toBe(true);
    expect(m.matches('d/e/x.tmp')).toBe(true);
    expect(m.matches('a/z')).toBe(true);
    expect(m.matches('a/b/c/z')).toBe(true);
    expect(m.matches('build/x/y')).toBe(true);
    expect(m.matches('builder')).toBe(false);
    const all = createDockerignoreMatcher('**\n!keep\n');
    expect(all.matches('any/thing')).toBe(true);
    expect(all.matches('keep')).toBe(false);
  });

  it('supports character classes and escapes', () => {
    const m = createDockerignoreMatcher('src/[ab]?.js\nlit\\*\nx[^0-9]\n');
    expect(m.matches('src/a1.js')).toBe(true);
    expect(m.matches('src/c1.js')).toBe(false);
    expect(m.matches('lit*')).toBe(true);
    expect(m.matches('xa')).toBe(true);
    expect(m.matches('x1')).toBe(false);
  });

  it('lets the last matching pattern win, re-including children of an excluded directory', () => {
    const m = createDockerignoreMatcher('*.md\n!README.md\nREADME-secret.md\nbuild\n!build/keep\n');
    expect(m.matches('CHANGES.md')).toBe(true);
    expect(m.matches('README.md')).toBe(false);
    expect(m.matches('README-secret.md')).toBe(true);
    expect(m.matches('build/out')).toBe(true);
    expect(m.matches('build/keep')).toBe(false);
    expect(m.matches('build/keep/deep')).toBe(false);
    expect(m.hasExclusions).toBe(true);
  });

  it('tells a walker when an excluded directory must still be entered', () => {
    const m = createDockerignoreMatcher('build\n!build/keep\nvendor\n!**/LICENSE\n');
    expect(m.mayMatchChildren('build')).toBe(true);
    expect(m.mayMatchChildren('vendor')).toBe(true);
    const plain = createDockerignoreMatcher('build\n!src/x\n');
    expect(plain.mayMatchChildren('build')).toBe(false);
    expect(createDockerignoreMatcher('build\n').mayMatchChildren('build')).toBe(false);
  });

  it('normalises the queried path', () => {
    const m = createDockerignoreMatcher('a/b\n');
    expect(m.matches('./a/b')).toBe(true);
    expect(m.matches('/a/b/')).toBe(true);
  });

  it('reports malformed patterns as Go does', () => {
    for (const bad of ['a[', '[]', 'x[a-]', 'y[\\']) {
      expect(() => createDockerignoreMatcher(bad), bad).toThrow(InvalidArgumentError);
      expect(() => createDockerignoreMatcher(bad), bad).toThrow('syntax error in pattern');
    }
  });

  // Model: literal segments and whole-segment `*`; a pattern excludes a path when it matches the
  // path or one of its parent directories; the last pattern that matches decides.
  it('agrees with a simple model on literal and * patterns', () => {
    const seg = fc.constantFrom('a', 'b', 'c');
    const pathArb = fc.array(seg, { minLength: 1, maxLength: 4 });
    const patArb = fc.record({
      segs: fc.array(fc.constantFrom('a', 'b', 'c', '*'), { minLength: 1, maxLength: 3 }),
      exclusion: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(patArb, { maxLength: 6 }), pathArb, (pats, path) => {
      const text = pats.map((p) => (p.exclusion ? '!' : '') + p.segs.join('/')).join('\n');
      const m = createDockerignoreMatcher(text);
      const hits = (segs: string[]): boolean => segs.length <= path.length
        && segs.every((s, i) => s === '*' || s === path[i]);
      let model = false;
      for (const p of pats) if (hits(p.segs)) model = !p.exclusion;
      expect(m.matches(path.join('/'))).toBe(model);
    }), { numRuns: 500 });
  });
});
