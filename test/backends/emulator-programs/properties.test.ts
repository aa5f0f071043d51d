import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateArithmetic } from '../../../src/backends/emulator/programs/sh/arith.js';
import { matchPattern } from '../../../src/backends/emulator/programs/sh/pattern.js';
import { createRootfs, sh } from './helpers/harness.js';

/** Single-quotes a string for sh, the way scripts that generate scripts do. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

describe('shell properties', () => {
  it('any string survives single quoting, double quoting of a variable, and printf %s', async () => {
    const fs = await createRootfs();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0')), async (s) => {
        const r = await sh(`v=${quote(s)}; printf %s "$v"; printf '|'; printf %s ${quote(s)}`, { fs });
        expect(r.stdout).toBe(`${s}|${s}`);
      }),
      { numRuns: 60 },
    );
  });

  it('arithmetic on + - * follows C precedence (checked against JavaScript)', () => {
    const term = fc.integer({ min: -999, max: 999 });
    const op = fc.constantFrom('+', '-', '*');
    fc.assert(
      fc.property(term, fc.array(fc.tuple(op, term), { maxLength: 6 }), (first, rest) => {
        const expr = [String(first), ...rest.map(([o, n]) => `${o} ${n < 0 ? `(${n})` : n}`)].join(' ');
        // The oracle computes in BigInt: six factors of up to 999 pass 2^53, where JS numbers round.
        const big = [`${first}n`, ...rest.map(([o, n]) => `${o} (${n}n)`)].join(' ');
        // eslint-disable-next-line no-new-func
        const expected = Function(`return (${big});`)() as bigint;
        expect(evaluateArithmetic(expr, () => undefined)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a pattern of literal characters matches exactly itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const escaped = a.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
        expect(matchPattern(escaped, b)).toBe(a === b);
        expect(matchPattern(`${escaped}*`, a + b)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
