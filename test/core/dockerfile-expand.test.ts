import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  EXPANDING_KEYWORDS, expandInstruction, expandWord, expandWords, parseDockerfile,
} from '../../src/core/dockerfile/index.js';

const vars = { A: 'a', EMPTY: '', SP: 'x y', HOME: '/root' };

describe('expandWord', () => {
  it('expands $v and ${v}, leaving unset ones empty', () => {
    expect(expandWord('$A-${A}_$HOME/x', vars)).toBe('a-a_/root/x');
    expect(expandWord('$NOPE|${NOPE}', vars)).toBe('|');
    expect(expandWord('cost: $', vars)).toBe('cost: $');
    expect(expandWord('$1x', vars)).toBe('x');
  });

  it('implements the ${v:-w} family', () => {
    expect(expandWord('${A:-w}|${EMPTY:-w}|${NOPE:-w}', vars)).toBe('a|w|w');
    expect(expandWord('${A-w}|${EMPTY-w}|${NOPE-w}', vars)).toBe('a||w');
    expect(expandWord('${A:+w}|${EMPTY:+w}|${NOPE:+w}', vars)).toBe('w||');
    expect(expandWord('${A+w}|${EMPTY+w}|${NOPE+w}', vars)).toBe('w|w|');
    expect(expandWord('${NOPE:-$HOME/"q r"}', vars)).toBe('/root/q r');
  });

  it('fails ${v?msg} and ${v:?msg} as BuildKit does', () => {
    expect(expandWord('${A?}', vars)).toBe('a');
    expect(() => expandWord('${NOPE?}', vars)).toThrow('NOPE: is not allowed to be unset');
    expect(() => expandWord('${EMPTY:?must be set}', vars)).toThrow('EMPTY: must be set');
    expect(() => expandWord('${EMPTY:?}', vars)).toThrow('EMPTY: is not allowed to be empty');
  });

  it('handles quotes and escapes', () => {
    expect(expandWord(`'$A "x"'`, vars)).toBe('$A "x"');
    expect(expandWord('"$A \'x\' \\$A \\" \\n"', vars)).toBe('a \'x\' $A " \\n');
    expect(expandWord('\\$A\\ b\\', vars)).toBe('$A b');
    expect(expandWord('`$A', vars, { escape: '`' })).toBe('$A');
    expect(expandWord('c:\\dir', vars, { escape: '`' })).toBe('c:\\dir');
  });

  it('reports syntax errors with BuildKit texts', () => {
    const msg = (w: string): string => {
      try {
        expandWord(w, vars);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg('${A')).toBe("syntax error: missing '}'");
    expect(msg('${')).toBe("syntax error: missing '}'");
    expect(msg('${}')).toBe('syntax error: bad substitution');
    expect(msg('${:-x}')).toBe('syntax error: bad substitution');
    expect(msg('${A:*x}')).toBe('unsupported modifier (:*) in substitution');
    expect(msg('${A*x}')).toBe('unsupported modifier (*) in substitution');
    expect(msg('${A:#x}')).toBe('unsupported modifier (:#) in substitution');
    expect(msg('${A:-x')).toBe("syntax error: missing '}'");
    expect(msg('"abc')).toBe('unexpected end of statement while looking for matching double-quote');
    expect(msg("'abc")).toBe('unexpected end of statement while looking for matching single-quote');
  });

  it('can leave unset variables as written', () => {
    expect(expandWord('$A $NOPE ${NOPE} ${NOPE:-d}', vars, { skipUnset: true })).toBe('a $NOPE ${NOPE} ${NOPE:-d}');
  });

  it('splits words on unquoted whitespace only', () => {
    expect(expandWords('a "b c" $SP d\\ e', vars)).toEqual(['a', 'b c', 'x', 'y', 'd e']);
  });

  // Models: a word built from literal text and variable references expands to the pieces'
  // values; single quotes keep anything; escaping every character gives the text back.
  const name = fc.constantFrom('A', 'B', 'C_1', 'D');
  const env = fc.dictionary(name, fc.string({ unit: fc.constantFrom('x', 'y', ' ', '/', '.') }), { maxKeys: 4 });
  const literal = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '-', ':', '=', ','), minLength: 1 });

  it('agrees with a concatenation model for $v, ${v}, ${v:-w} and ${v:+w}', () => {
    type Piece = { text: string; model: (e: Record<string, string>) => string };
    const piece: fc.Arbitrary<Piece> = fc.oneof(
      literal.map((t) => ({ text: t, model: () => t })),
      name.map((n) => ({ text: `\${${n}}`, model: (e: Record<string, string>) => e[n] ?? '' })),
      fc.tuple(name, literal).map(([n, w]) => ({ text: `\${${n}:-${w}}`, model: (e: Record<string, string>) => e[n] || w })),
      fc.tuple(name, literal).map(([n, w]) => ({ text: `\${${n}:+${w}}`, model: (e: Record<string, string>) => (e[n] ? w : '') })),
      fc.tuple(name, literal).map(([n, w]) => ({ text: `\${${n}-${w}}`, model: (e: Record<string, string>) => e[n] ?? w })),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 6 }), env, (pieces, e) => {
      const text = pieces.map((p) => p.text).join('');
      expect(expandWord(text, e)).toBe(pieces.map((p) => p.model(e)).join(''));
    }), { numRuns: 300 });
  });

  it('returns single-quoted and fully escaped text verbatim', () => {
    fc.assert(fc.property(fc.string(), env, (s, e) => {
      expect(expandWord(`'${s.replace(/'/g, '')}'`, e)).toBe(s.replace(/'/g, ''));
      expect(expandWord([...s].map((c) => `\\${c}`).join(''), e)).toBe(s);
    }), { numRuns: 300 });
  });
});

describe('expandInstruction', () => {
  const df = parseDockerfile([
    'ARG TAG=3', 'FROM alpine:${TAG} AS base', 'ENV P="$HOME/bin" Q=${NOPE:-q}', 'WORKDIR $HOME/app',
    'COPY --chown=$U:$U ["$SRC", "/dst dir/"]', 'RUN echo $HOME', 'EXPOSE ${PORT}/udp', 'LABEL "k $A"=v',
  ].join('\n'));
  const at = (i: number) => df.instructions[i]!;
  const v = { TAG: '3.20', HOME: '/root', U: '1000', SRC: 'a b', PORT: '53', A: 'x' };

  it('expands where Docker does and leaves RUN to the shell', () => {
    expect(EXPANDING_KEYWORDS.has('RUN')).toBe(false);
    expect(expandInstruction(at(1), v).args).toEqual(['alpine:3.20', 'AS', 'base']);
    expect(expandInstruction(at(2), v).args).toEqual(['P', '/root/bin', 'Q', 'q']);
    expect(expandInstruction(at(3), v).args).toEqual(['/root/app']);
    expect(expandInstruction(at(4), v)).toMatchObject({ flags: ['--chown=1000:1000'], args: ['a b', '/dst dir/'] });
    expect(expandInstruction(at(5), v)).toBe(at(5));
    expect(expandInstruction(at(6), v).args).toEqual(['53/udp']);
    expect(expandInstruction(at(7), v).args).toEqual(['k x', 'v']);
  });
});
