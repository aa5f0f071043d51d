import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { chompHeredoc, parseDockerfile } from '../../src/core/dockerfile/index.js';

function stagesErrorOf(text: string): InvalidArgumentError {
  const df = parseDockerfile(text);
  try {
    void df.stages;
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError from the stages view');
}

function parseErrorOf(text: string): InvalidArgumentError {
  try {
    parseDockerfile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('parseDockerfile: directives', () => {
  it('reads syntax, escape and check at the top only', () => {
    const df = parseDockerfile('# syntax=docker/dockerfile:1\n#escape=`\n# check=skip=all\nFROM x\n# escape=\\\n');
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1', escape: '`', check: 'skip=all' });
  });

  it('stops at the first other line, so later directives are comments', () => {
    expect(parseDockerfile('# hello\n# escape=`\nFROM x\n').directives).toEqual({});
    expect(parseDockerfile('\n# escape=`\nFROM x\n').directives).toEqual({});
    expect(parseDockerfile('# unknown=1\n# escape=`\nFROM x\n').directives).toEqual({});
  });

  it('rejects a repeated or invalid directive', () => {
    expect(parseErrorOf('# escape=`\n# escape=`\nFROM x').message)
      .toBe('dockerfile parse error on line 2: only one escape parser directive can be used');
    expect(parseErrorOf('# escape=x\nFROM x').details.problem).toBe("invalid escape token 'x' does not match ` or \\");
  });
});

describe('parseDockerfile: lines', () => {
  it('joins continuations, skipping comments and blank lines inside them', () => {
    const df = parseDockerfile('FROM x\nRUN echo a \\\n  # note\n\n  && echo b\nRUN x');
    const run = df.instructions[1];
    expect(run?.args).toEqual(['echo a   && echo b']);
    expect(run?.line).toBe(2);
    expect(run?.endLine).toBe(5);
    expect(df.instructions[2]?.line).toBe(6);
  });

  it('uses the escape directive for continuations (Windows style)', () => {
    const df = parseDockerfile('# escape=`\nFROM x\nRUN dir c:\\ `\n  /w\nWORKDIR c:\\app\n');
    expect(df.instructions[1]?.args).toEqual(['dir c:\\   /w']);
    expect(df.instructions[2]?.args).toEqual(['c:\\app']);
  });

  it('ignores comments, indentation, CRLF and a BOM', () => {
    const df = parseDockerfile('\uFEFF# c\r\n   from  alpine\r\n\t  # x\r\n  run   echo  hi  \r\n');
    expect(df.instructions.map((i) => [i.keyword, i.args])).toEqual([['FROM', ['alpine']], ['RUN', ['echo  hi']]]);
  });

  it('tells the exec form from the shell form', () => {
    const df = parseDockerfile('FROM x\nCMD ["sh", "-c", "echo $HOME"]\nCMD [bad json\n');
    expect(df.instructions[1]).toMatchObject({ json: true, args: ['sh', '-c', 'echo $HOME'] });
    expect(df.instructions[2]).toMatchObject({ json: false, args: ['[bad json'] });
    // A well-formed array of non-strings is an error, not a shell command.
    expect(parseErrorOf('FROM x\nENTRYPOINT [1, 2]\n').details.problem)
      .toBe('when using JSON array syntax, arrays must be comprised of strings only');
  });

  it('splits COPY, ADD, VOLUME, EXPOSE into words unless JSON', () => {
    const df = parseDockerfile('FROM x\nCOPY a b /dst/\nCOPY ["a b", "/d"]\nVOLUME /a /b\nEXPOSE 80 443/tcp\n');
    expect(df.instructions.slice(1).map((i) => i.args)).toEqual([['a', 'b', '/dst/'], ['a b', '/d'], ['/a', '/b'], ['80', '443/tcp']]);
  });
});

describe('parseDockerfile: flags', () => {
  it('extracts leading --flags, unquoting their values', () => {
    const df = parseDockerfile(
      'FROM --platform=linux/amd64 x\nRUN --mount=type=cache,target=/x --network=none make\n' +
        'COPY --from=build --chown="1000:1000" /a /b\nCOPY -- --odd /b\n');
    expect(df.instructions[0]?.flags).toEqual(['--platform=linux/amd64']);
    expect(df.instructions[1]).toMatchObject({ flags: ['--mount=type=cache,target=/x', '--network=none'], args: ['make'] });
    expect(df.instructions[2]).toMatchObject({ flags: ['--from=build', '--chown=1000:1000'], args: ['/a', '/b'] });
    expect(df.instructions[3]).toMatchObject({ flags: [], args: ['--odd', '/b'] });
  });

  it('parses a flag the instruction does not know; the stages view refuses it', () => {
    const df = parseDockerfile('FROM x\nRUN --bogus=1 true');
    expect(df.instructions[1]).toMatchObject({ flags: ['--bogus=1'], args: ['true'] });
    expect(() => df.stages).toThrow('dockerfile parse error on line 2: unknown flag: --bogus');
  });
});

describe('parseDockerfile: ENV, LABEL, ARG', () => {
  it('alternates keys and values in both ENV forms, keeping quotes for expansion', () => {
    const df = parseDockerfile('FROM x\nENV a=b c="d e" f=g\\ h\nENV legacy value with spaces\nLABEL "com.x"=1 y=\'z\'\n');
    expect(df.instructions[1]?.args).toEqual(['a', 'b', 'c', '"d e"', 'f', 'g\\ h']);
    expect(df.instructions[2]?.args).toEqual(['legacy', 'value with spaces']);
    expect(df.instructions[3]?.args).toEqual(['"com.x"', '1', 'y', "'z'"]);
  });

  it("rejects malformed ENV with BuildKit's messages", () => {
    expect(parseErrorOf('FROM x\nENV a').message).toBe('dockerfile parse error on line 2: ENV must have two arguments');
    expect(parseErrorOf('FROM x\nENV a=1 b').details.problem)
      .toBe('Syntax error - can\'t find = in "b". Must be of the form: name=value');
    expect(parseDockerfile('FROM x\nLABEL').instructions[1]?.args).toEqual([]);
    expect(() => parseDockerfile('FROM x\nLABEL').stages).toThrow('LABEL requires at least one argument');
  });

  it('keeps ARG words and collects ARGs before the first FROM', () => {
    const df = parseDockerfile('ARG V=1 W\nFROM x:$V\nARG V\n');
    expect(df.metaArgs.map((i) => i.args)).toEqual([['V=1', 'W']]);
    expect(df.stages[0]?.instructions.map((i) => i.keyword)).toEqual(['ARG']);
  });
});

describe('parseDockerfile: heredocs', () => {
  it('reads one heredoc into RUN', () => {
    const df = parseDockerfile('FROM x\nRUN <<EOF\necho hi\necho $HOME\nEOF\nRUN true\n');
    const run = df.instructions[1];
    expect(run?.heredocs).toEqual([{ name: 'EOF', content: 'echo hi\necho $HOME\n', expand: true, chomp: false }]);
    expect(run?.endLine).toBe(5);
    expect(df.instructions[2]?.line).toBe(6);
  });

  it('handles quoted delimiters, <<- and several heredocs on one line', () => {
    const df = parseDockerfile("FROM x\nRUN <<'A' cat - <<-\"B\" > /f\nno $expand\nA\n\tone\n\tB\n");
    const docs = df.instructions[1]?.heredocs ?? [];
    expect(docs.map((d) => [d.name, d.expand, d.chomp])).toEqual([['A', false, false], ['B', false, true]]);
    expect(docs[1]?.content).toBe('\tone\n');
    expect(chompHeredoc(docs[1]!)).toBe('one\n');
  });

  it('supports COPY <<EOF /dest and rejects an unterminated heredoc', () => {
    const df = parseDockerfile('FROM x\nCOPY <<EOF /etc/motd\nhello\nEOF\n');
    expect(df.instructions[1]).toMatchObject({ args: ['<<EOF', '/etc/motd'], heredocs: [{ name: 'EOF', content: 'hello\n' }] });
    const e = parseErrorOf('FROM x\nRUN <<EOF\nnever ends\n');
    expect(e.message).toBe('dockerfile parse error on line 2: unterminated heredoc');
  });

  it('does not treat << in other instructions or after a quote as a heredoc', () => {
    const df = parseDockerfile('FROM x\nRUN echo "<<EOF"\nLABEL a="<<EOF"\n');
    expect(df.instructions[1]?.heredocs).toBeUndefined();
    expect(df.instructions[2]?.heredocs).toBeUndefined();
  });
});

describe('parseDockerfile: stages and checks', () => {
  it('splits stages with names and platforms', () => {
    const df = parseDockerfile('FROM --platform=$BUILDPLATFORM golang:1 AS Build\nRUN go build\nFROM alpine\nCOPY --from=build /a /a\n');
    expect(df.stages.map((s) => [s.name, s.base, s.platform, s.instructions.length]))
      .toEqual([['build', 'golang:1', '$BUILDPLATFORM', 1], [undefined, 'alpine', undefined, 1]]);
  });

  it('parses ONBUILD with its trigger and HEALTHCHECK with its type', () => {
    const df = parseDockerfile('FROM x\nONBUILD RUN echo hi\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]\nHEALTHCHECK NONE\n');
    expect(df.instructions[1]).toMatchObject({ args: ['RUN echo hi'], trigger: { keyword: 'RUN', args: ['echo hi'] } });
    expect(df.instructions[2]).toMatchObject({ flags: ['--interval=5s'], args: ['CMD', 'curl', '-f', 'x'], json: true });
    expect(df.instructions[3]?.args).toEqual(['NONE']);
  });

  it('parses unknown instructions; the stages view reports them with their line', () => {
    const df = parseDockerfile('FROM x\n\n  foo bar\n');
    expect(df.instructions[1]).toMatchObject({ keyword: 'FOO', args: [], line: 3 });
    const e = stagesErrorOf('FROM x\n\n  foo bar\n');
    expect(e.message).toBe('dockerfile parse error on line 3: unknown instruction: foo');
    expect(e.details).toMatchObject({ line: 3, reason: 'dockerfile-syntax', problem: 'unknown instruction: foo' });
  });

  it("rejects what BuildKit's instruction checks reject", () => {
    expect(parseErrorOf('').message).toBe('file with no instructions');
    expect(parseErrorOf('# only a comment\n').message).toBe('file with no instructions');
    const reason = (t: string): unknown => stagesErrorOf(t).details.problem;
    expect(stagesErrorOf('RUN x').message).toBe('no build stage in current context');
    expect(reason('FROM a b')).toBe('FROM requires either one or three arguments');
    expect(reason('FROM a AS 1x')).toBe('invalid name for build stage: "1x", name can\'t start with a number or contain symbols');
    expect(reason('FROM x\nCOPY a')).toBe('COPY requires at least two arguments, but only one was provided. Destination could not be determined');
    expect(reason('FROM x\nCOPY --from a b')).toBe('missing a value on flag: --from');
    expect(reason('FROM x\nCOPY --link=maybe a b')).toBe('expecting boolean value for flag --link, not: maybe');
    expect(reason('FROM x\nCOPY --from=a --from=b a b')).toBe('duplicate flag specified: --from');
    expect(reason('FROM x\nCOPY a <<EOF\nx\nEOF')).toBe('COPY cannot accept a heredoc as a destination');
    expect(reason('FROM x\nUSER')).toBe('USER requires exactly one argument');
    expect(reason('FROM x\nSHELL sh -c')).toBe('SHELL requires the arguments to be in JSON form');
    expect(reason('FROM x\nHEALTHCHECK')).toBe('HEALTHCHECK requires at least one argument');
    expect(reason('FROM x\nHEALTHCHECK FOO x')).toBe('Unknown type "FOO" in HEALTHCHECK (try CMD)');
    expect(reason('FROM x\nHEALTHCHECK --interval=1x CMD y')).toBe('time: invalid duration "1x"');
    expect(reason('FROM x\nONBUILD ONBUILD RUN x')).toBe('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    expect(reason('FROM x\nONBUILD FROM y')).toBe("FROM isn't allowed as an ONBUILD trigger");
    expect(reason('FROM x\nENV =1')).toBe('ENV names can not be blank');
    expect(reason('FROM x\nARG =1')).toBe('ARG names can not be blank');
    expect(reason('FROM x\nVOLUME [""]')).toBe('VOLUME specified can not be an empty string');
  });

  it('ignores flags where BuildKit never reads them (ARG, STOPSIGNAL)', () => {
    const df = parseDockerfile('FROM x\nARG --x=1 A\nSTOPSIGNAL --y TERM\n');
    expect(df.stages[0]?.instructions.map((i) => i.flags)).toEqual([['--x=1'], ['--y']]);
  });
});
