import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { formatDockerfile, parseDockerfile, type Dockerfile, type Instruction } from '../../src/core/dockerfile/index.js';

// Random Dockerfile-ish text: keywords, flags, quotes, escapes, JSON brackets, heredoc markers,
// continuations and comments are over-represented so the interesting paths are reached.
const pieces = [
  'FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'LABEL', 'ARG', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'ONBUILD', 'SHELL',
  'VOLUME', 'EXPOSE', 'USER', 'WORKDIR', 'STOPSIGNAL', 'MAINTAINER', 'BOGUS', 'from', 'run',
  ' ', '  ', '\t', '\n', '\r\n', '\\', '\\\n', '`', '`\n', '#', '# escape=`\n', '# syntax=x\n', '"', "'", '=', '--',
  '--from=a', '--chown="1 2"', '--x', '[', ']', '["a", "b"]', '[1]', ',', '<<', '<<EOF', '<<-EOF', "<<'EOF'", 'EOF',
  '\tEOF', '$', '${', '}', 'a', 'b c', 'k=v', 'NONE', 'CMD', '\u00e0', '\u00a0', '\u0085', '\ufeff', '\x01',
];
const dockerfileText = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 40 }).map((a) => a.join(''));

/** What a parse means, without its source positions (printing joins continuations). */
function meaning(df: Dockerfile): unknown {
  const strip = (i: Instruction): unknown => ({
    keyword: i.keyword,
    flags: i.flags,
    args: i.args,
    json: i.json,
    heredocs: i.heredocs,
    legacyKeyValue: i.legacyKeyValue,
    trigger: i.trigger && strip(i.trigger),
  });
  return { directives: df.directives, instructions: df.instructions.map(strip) };
}

function tryParse(text: string): Dockerfile | InvalidArgumentError {
  try {
    return parseDockerfile(text);
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e;
    throw e;
  }
}

describe('parseDockerfile: properties', () => {
  it('gives a parse or an InvalidArgumentError, never anything else', () => {
    fc.assert(fc.property(dockerfileText, (text) => {
      const result = tryParse(text);
      if (result instanceof InvalidArgumentError) return;
      // The stages view may refuse the file, but only with the same error class.
      try {
        void result.stages;
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
      }
    }), { numRuns: 3000 });
  });

  it('gives a parse or an InvalidArgumentError for arbitrary unicode too', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      tryParse(text);
    }), { numRuns: 1000 });
  });

  it('prints what parses back to the same instructions', () => {
    fc.assert(fc.property(dockerfileText, (text) => {
      const first = tryParse(text);
      if (first instanceof InvalidArgumentError) return;
      const printed = formatDockerfile(first);
      const second = parseDockerfile(printed);
      expect(meaning(second)).toEqual(meaning(first));
      // Printing is a fixed point after one round.
      expect(formatDockerfile(second)).toBe(printed);
    }), { numRuns: 3000 });
  });
});
