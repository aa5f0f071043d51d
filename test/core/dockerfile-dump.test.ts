import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { dumpDockerfile, expandWord, parseDockerfile } from '../../src/core/dockerfile/index.js';

// Our own cases for what BuildKit's parser test files teach (scripts/buildkit-parser-score.ts
// measures against the files themselves when a checkout is at hand). Each Dockerfile is
// compared with the AST dump BuildKit prints for it.
const cases: [string, string, string][] = [
  ['no FROM needed by the parser', 'RUN make\nCOPY a b\n', '(run "make")\n(copy "a" "b")'],
  ['unknown instructions keep their flags, lose their arguments', 'FROM x\nBOGUS --f=1 a b\n', '(from "x")\n(bogus ["--f=1"])'],
  ['unknown flags are kept', 'FROM x\nCOPY --owner=me --weird a /b/\n', '(from "x")\n(copy ["--owner=me" "--weird"] "a" "/b/")'],
  ['a bare -- ends the flags', 'FROM x\nCOPY --a=1 -- --b c\n', '(from "x")\n(copy ["--a=1"] "--b" "c")'],
  ['flags before a JSON array', 'FROM x\nCMD --f -- [ "a", "b" ]\nCMD --g [ ]\n', '(from "x")\n(cmd ["--f"] "a" "b")\n(cmd ["--g"])'],
  ['HEALTHCHECK without arguments or command', 'FROM x\nHEALTHCHECK\nHEALTHCHECK CMD\nHEALTHCHECK   CMD   a  b\nHEALTHCHECK OTHER x y\n',
    '(from "x")\n(healthcheck)\n(healthcheck "CMD")\n(healthcheck "CMD" "a  b")\n(healthcheck "OTHER" "x y")'],
  ['HEALTHCHECK exec form with flags', 'FROM x\nHEALTHCHECK --retries=2 CMD ["a"]\n', '(from "x")\n(healthcheck ["--retries=2"] "CMD" "a")'],
  ['invalid JSON falls back to the shell form', 'FROM x\nCMD ["a", \'b\']\nRUN ["unterminated\nENTRYPOINT [ "x" ] \n',
    '(from "x")\n(cmd "[\\"a\\", \'b\']")\n(run "[\\"unterminated")\n(entrypoint "x")'],
  ['JSON inside a string stays a string', 'FROM x\nCMD "[\\"a\\"]"\n', '(from "x")\n(cmd "\\"[\\\\\\"a\\\\\\"]\\"")'],
  ['COPY/VOLUME shell form splits on blanks only', 'FROM x\nVOLUME /a\t/b  /c\nCOPY ["a b", "c"]\n', '(from "x")\n(volume "/a" "/b" "/c")\n(copy "a b" "c")'],
  ['trailing backslash at end of file', 'FROM x\n\nRUN something \\', '(from "x")\n(run "something")'],
  ['an escaped escape is not a continuation', 'FROM x\nENV A a\\\\\nENV B b\n', '(from "x")\n(env "A" "a\\\\\\\\" "")\n(env "B" "b" "")'],
  ['continuation lines keep their indentation, comments and blank lines vanish', 'FROM x\nRUN a \\\n  # c\n\n   b\n',
    '(from "x")\n(run "a    b")'],
  ['lone continuation characters', 'FROM x\nENV E hello\\\n\\\nworld\n', '(from "x")\n(env "E" "helloworld" "")'],
  ['escape directive', '# escape=`\nFROM x\nRUN dir c:\\ `\n  d\nWORKDIR c:\\w\n', '(from "x")\n(run "dir c:\\\\   d")\n(workdir "c:\\\\w")'],
  ['escape directive after a syntax directive', '# syntax=x/y\n# escape=`\nFROM x\nRUN a `\nb\n', '(from "x")\n(run "a b")'],
  ['a directive after a comment is a comment', '# hi\n# escape=`\nFROM x\nRUN a \\\nb\n', '(from "x")\n(run "a b")'],
  ['ENV and LABEL forms', 'FROM x\nENV a=1 b="2 3"\nENV legacy two  words\nLABEL "k"=\'v\'\n',
    '(from "x")\n(env "a" "1" "=" "b" "\\"2 3\\"" "=")\n(env "legacy" "two  words" "")\n(label "\\"k\\"" "\'v\'" "=")'],
  ['ENV and LABEL with nothing', 'FROM x\nENV\nLABEL\n', '(from "x")\n(env)\n(label)'],
  ['ARG words', 'ARG a b=c "d e"=f\nFROM x\n', '(arg "a" "b=c" "\\"d e\\"=f")\n(from "x")'],
  ['ONBUILD nests its trigger', 'FROM x\nONBUILD RUN a\nONBUILD\nONBUILD COPY --from=b c d\n',
    '(from "x")\n(onbuild (run "a"))\n(onbuild)\n(onbuild (copy ["--from=b"] "c" "d"))'],
  ['keywords in any case, printed lower-case', 'from x AS y\nrUn a\n', '(from "x" "AS" "y")\n(run "a")'],
  ['heredocs are not in the dump', 'FROM x\nRUN <<EOF\necho hi\nEOF\n', '(from "x")\n(run "<<EOF")'],
  ['unicode arguments', 'FROM x\nRUN echo \u00e0\u00f6\u00fb \u4e2d\n', '(from "x")\n(run "echo \u00e0\u00f6\u00fb \u4e2d")'],
  ['control characters are Go-quoted', 'FROM x\nRUN a\u0001b\n', '(from "x")\n(run "a\\x01b")'],
];

describe('parseDockerfile: BuildKit AST dump', () => {
  for (const [name, text, dump] of cases) {
    it(name, () => {
      expect(dumpDockerfile(parseDockerfile(text))).toBe(dump);
    });
  }

  it('counts lines as BuildKit does (continuations, comments and heredoc bodies included)', () => {
    const df = parseDockerfile('# c\n\nFROM x\n\nRUN a \\\n  # mid\n  b\nCOPY <<A <<B /d/\n1\nA\n2\nB\nENV Z=1\n');
    expect(df.instructions.map((i) => [i.keyword, i.line, i.endLine]))
      .toEqual([['FROM', 3, 3], ['RUN', 5, 7], ['COPY', 8, 12], ['ENV', 13, 13]]);
    expect(df.instructions[2]?.heredocs?.map((h) => [h.name, h.content])).toEqual([['A', '1\n'], ['B', '2\n']]);
  });

  it('keeps heredoc bodies byte for byte (CRLF) and reads a file descriptor', () => {
    const df = parseDockerfile('FROM x\r\nRUN 3<<EOF cat <&3\r\na\r\nEOF\r\n');
    expect(df.instructions[1]?.heredocs).toEqual([{ name: 'EOF', content: 'a\r\n', expand: true, chomp: false, fileDescriptor: 3 }]);
  });

  it('warns about empty continuation lines without failing', () => {
    const df = parseDockerfile('FROM x\nRUN a \\\n\n  b\n');
    expect(df.warnings).toEqual([{ message: 'Empty continuation line found in: RUN a   b', line: 4 }]);
  });

  it("refuses what BuildKit's parser refuses", () => {
    const fails = (text: string): string => {
      try {
        parseDockerfile(text);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        return (e as InvalidArgumentError).details.problem as string;
      }
      return 'parsed';
    };
    expect(fails('')).toBe('file with no instructions');
    expect(fails('\n# just a comment\n\n')).toBe('file with no instructions');
    expect(fails('FROM x\nENV A\n')).toBe('ENV must have two arguments');
    expect(fails('FROM x\nCMD [["a"]]\n')).toBe('when using JSON array syntax, arrays must be comprised of strings only');
    expect(fails('FROM x\nRUN <<EOF\nno end\n')).toBe('unterminated heredoc');
    expect(fails(`FROM x\nLABEL a=${'b'.repeat(70_000)}\n`)).toBe('dockerfile line greater than max allowed size of 65535');
  });
});

describe('expandWord: pattern modifiers', () => {
  const vars = { P: 'a/b/c.tar.gz', E: '' };
  it('removes prefixes and suffixes, shortest and longest', () => {
    expect(expandWord('${P#*/}|${P##*/}|${P%.*}|${P%%.*}', vars)).toBe('b/c.tar.gz|c.tar.gz|a/b/c.tar|a/b/c');
    expect(expandWord('${P#x}|${NOPE#a}|${P%\\*}', vars)).toBe('a/b/c.tar.gz||a/b/c.tar.gz');
  });

  it('replaces first and all matches', () => {
    expect(expandWord('${P/\\//-}|${P//\\//-}|${P/?/X}', vars)).toBe('a-b/c.tar.gz|a-b-c.tar.gz|X/b/c.tar.gz');
  });

  it('keeps unset references when asked (heredoc and ARG scans)', () => {
    expect(expandWord('${NOPE#x}${NOPE/a/b}', vars, { skipUnset: true })).toBe('${NOPE#x}${NOPE/a/b}');
  });
});
