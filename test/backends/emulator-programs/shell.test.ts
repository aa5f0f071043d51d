import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ShSyntaxError } from '../../../src/backends/emulator/programs/sh/lexer.js';
import { parseScript } from '../../../src/backends/emulator/programs/sh/parser.js';
import { run, sh } from './helpers/harness.js';

/** [script, expected stdout, expected exit code] */
const cases: [string, string, number][] = [
  // Quoting and expansion
  [`echo 'single $HOME' "double $HOME" \\$HOME`, 'single $HOME double /root $HOME\n', 0],
  ['x=5; echo ${x} ${x:-d} ${y:-d} ${y-u} ${x:+set} ${y:+set}.', '5 5 d u set .\n', 0],
  ['echo ${z:=assigned}; echo $z ${#z}', 'assigned\nassigned 8\n', 0],
  ['f=archive.tar.gz; echo ${f%.gz} ${f%%.*} ${f#*.} ${f##*.}', 'archive.tar archive tar.gz gz\n', 0],
  ['p=a/b/c.txt; echo ${p/\\//:} ${p//\\//:} "${p//[abc]/X}" ${p/.txt} ${p/#a/A}', 'a:b/c.txt a:b:c.txt X/X/X.txt a/b/c a/b/c.txt\n', 0],
  ['set -- a "b c" d; echo $#; for a in "$@"; do echo "[$a]"; done', '3\n[a]\n[b c]\n[d]\n', 0],
  ['set -- a "b c"; for a in $*; do echo "[$a]"; done; echo "$*"', '[a]\n[b]\n[c]\na b c\n', 0],
  ['sh -c \'echo $0 $1 $2\' name one two', 'name one two\n', 0],
  ['v="a   b"; echo $v; echo "$v"', 'a b\na   b\n', 0],
  ['echo $(echo inner $(echo nested)) `echo back`', 'inner nested back\n', 0],
  ['x=$(printf "a\\n\\n\\n"); echo "[$x]"', '[a]\n', 0],
  ['echo $((1 + 2 * 3)) $(( (1+2) * 3 )) $((10 / 3)) $((10 % 3)) $((-7 + 2))', '7 9 3 1 -5\n', 0],
  ['i=4; echo $((i * i)) $((i > 3)) $((i == 4 ? 10 : 20))', '16 1 10\n', 0],
  ['echo ~ ~/x', '/root /root/x\n', 0],
  ['echo $$ | grep -c "^[0-9]*$"', '1\n', 0],
  // Control flow
  ['for i in 1 2 3; do echo $i; done | wc -l', '3\n', 0],
  ['i=0; while [ $i -lt 5 ]; do i=$((i+1)); [ $i -eq 2 ] && continue; [ $i -eq 4 ] && break; echo $i; done', '1\n3\n', 0],
  ['n=0; until [ $n -ge 2 ]; do n=$((n+1)); done; echo $n', '2\n', 0],
  ['if false; then echo a; elif [ -d / ]; then echo b; else echo c; fi', 'b\n', 0],
  ['case "img.PNG" in *.png|*.PNG) echo image;; *) echo other;; esac', 'image\n', 0],
  ['case x in [a-c]) echo abc;; [!a-c]) echo not;; esac', 'not\n', 0],
  ['greet() { local who=$1; echo "hi $who"; return 4; }; greet bob; echo $? ${who:-unset}', 'hi bob\n4 unset\n', 0],
  ['f() { echo $#; }; f a b c', '3\n', 0],
  ['true && echo and; false || echo or; false && echo never; ! false && echo negated', 'and\nor\nnegated\n', 0],
  ['(cd /tmp; x=sub; echo $PWD); echo $PWD ${x:-none}', '/tmp\n/ none\n', 0],
  ['{ echo a; echo b; } | wc -l', '2\n', 0],
  ['cd /tmp && pwd && cd - >/dev/null && pwd', '/tmp\n/\n', 0],
  ['eval "x=1; echo \\$x"', '1\n', 0],
  // Redirections and here-documents
  ['echo hi > /f && cat /f', 'hi\n', 0],
  ['echo a > /f; echo b >> /f; cat < /f', 'a\nb\n', 0],
  ['echo err >&2; echo out', 'out\n', 0],
  ['ls /nope 2>/dev/null; echo $?', '1\n', 0],
  ['ls /nope 2>&1 | sed s/nope/NOPE/', 'ls: /NOPE: No such file or directory\n', 0],
  ['echo x 3>/tmp/fd3 >&3; cat /tmp/fd3', 'x\n', 0],
  ['{ echo one; echo two >&2; } > /tmp/o 2>&1; cat /tmp/o', 'one\ntwo\n', 0],
  ['cat <<EOF\nhome=$HOME\n$(echo sub)\nEOF', 'home=/root\nsub\n', 0],
  ["cat <<'EOF'\nraw $HOME\nEOF", 'raw $HOME\n', 0],
  ['cat <<-EOF\n\tindented\n\tEOF\necho after', 'indented\nafter\n', 0],
  ['cat <<A; cat <<B\na\nA\nb\nB', 'a\nb\n', 0],
  ['echo x > /dev/null; cat < /dev/null; echo done', 'done\n', 0],
  ['echo "a b" | { read x y; echo "$y,$x"; }', 'b,a\n', 0],
  ['printf "1 2\\n3 4\\n" | while read a b; do echo $((a+b)); done', '3\n7\n', 0],
  // Builtins
  ['export A=1; sh -c \'echo $A\'; B=2 sh -c \'echo $B\'; echo ${B:-unset}', '1\n2\nunset\n', 0],
  ['X=1; unset X; echo ${X-gone}', 'gone\n', 0],
  ['set -- a b c; shift 2; echo $@', 'c\n', 0],
  ['printf "%s=%d\\n" a 1 b 2', 'a=1\nb=2\n', 0],
  ['printf "%5s|%-5s|%03d|%x|%%\\n" ab cd 7 255', '   ab|cd   |007|ff|%\n', 0],
  ['echo -n no-newline; echo; echo -e "tab\\tx"', 'no-newline\ntab\tx\n', 0],
  ['type cd; command -v ls; command -v nosuch || echo missing', 'cd is a shell builtin\n/bin/ls\nmissing\n', 0],
  ['echo "echo sourced \\$1" > /tmp/lib.sh; . /tmp/lib.sh arg', 'sourced arg\n', 0],
  ['[ -f /etc/passwd ] && [ ! -d /etc/passwd ] && [ -n "x" ] && [ -z "" ] && [ a = a ] && [ 1 -lt 2 ] && echo ok', 'ok\n', 0],
  ['test 2 -ge 3; echo $?; test -e /nope; echo $?; [ abc != abd ]; echo $?', '1\n1\n0\n', 0],
  ['sleep 1000 & sleep 0.01 & kill_me=$!; wait $kill_me; echo waited', 'waited\n', 0],
  ['(exit 3) & wait $!; echo $?', '3\n', 0],
  ['exec >/tmp/log; echo hidden; cat /tmp/log >&2', '', 0],
  ['(exec >/tmp/sub; echo in-sub); echo visible; cat /tmp/sub', 'visible\nin-sub\n', 0],
  ['exec echo replaced; echo never', 'replaced\n', 0],
  ['echo $((2 ** 10)) $((1 << 4)) $((6 & 3)) $((!0))', '1024 16 2 1\n', 0],
  ['while IFS=: read -r user _ uid _; do echo "$user=$uid"; done < /etc/passwd', 'root=0\nnobody=65534\nwww=33\n', 0],
  ['f() { echo in-f; }; type f; unset -f f; f', 'f is a function\n', 127],
  ['i=1; echo $((i += 4)) $((i++)) $i $((--i)) $((x = 7 * 2)) $x', '5 5 6 5 14 14\n', 0],
  ['n=0; while [ $n -lt 3 ]; do : $((n += 1)); done; echo $n', '3\n', 0],
  ['false | true; echo $?; set -o pipefail; false | true; echo $?', '0\n1\n', 0],
  ['set -- -v -o out -xy file; while getopts "vo:xy" opt; do echo "$opt ${OPTARG:-}"; done; shift $((OPTIND - 1)); echo "rest $@"', 'v \no out\nx \ny \nrest file\n', 0],
  ['getopts "a:" o -a; echo "$? $o"; OPTIND=1; getopts ":b" o -z; echo "$o $OPTARG"', '0 ?\n? z\n', 0],
  // Exit codes
  ['exit 3', '', 3],
  ['false', '', 1],
  ['nosuch', '', 127],
  ['set -e; echo one; false; echo two', 'one\n', 1],
  ['set -e; false || true; if false; then :; fi; false && true; echo survived', 'survived\n', 0],
  ['set -u; echo ${UNSET_VAR}; echo no', '', 2],
  ['exit', '', 0],
  ['false; exit', '', 1],
];

describe('sh', () => {
  for (const [script, stdout, code] of cases) {
    it(JSON.stringify(script), async () => {
      const r = await sh(script);
      expect({ stdout: r.stdout, code: r.code }).toEqual({ stdout, code });
    });
  }

  it('traces commands with set -x', async () => {
    const r = await sh('set -x; echo traced "a b"');
    expect(r.stderr).toBe('+ echo traced a b\n');
  });

  it('expands globs against the filesystem, leaving non-matches alone', async () => {
    const r = await sh('mkdir /g; touch /g/b.txt /g/a.txt /g/c.log /g/.hidden; echo /g/*.txt; cd /g && echo *; echo *.none; echo "*"');
    expect(r.stdout).toBe('/g/a.txt /g/b.txt\na.txt b.txt c.log\n*.none\n*\n');
  });

  it('reports syntax errors with status 2', async () => {
    const r = await sh('if true; then echo x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sh: syntax error/);
  });

  it('says how busybox says it when a redirection target directory is missing', async () => {
    const r = await sh('echo x > /nodir/file; echo $?');
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toBe("sh: can't create /nodir/file: nonexistent directory\n");
  });

  it('runs a script file with arguments', async () => {
    const r0 = await sh('printf "echo \\$# \\$1\\nexit 4\\n" > /s.sh');
    const r = await run(['sh', '/s.sh', 'x', 'y'], { fs: r0.fs });
    expect(r).toMatchObject({ stdout: '2 x\n', code: 4 });
    expect((await run(['sh', '/missing.sh'], { fs: r0.fs })).stderr).toBe("sh: can't open '/missing.sh': No such file or directory\n");
  });

  it('reads commands from stdin as they arrive', async () => {
    const stdin = new PassThrough();
    const done = run(['sh'], { stdin });
    stdin.write('echo one\nif true; then\n');
    stdin.write('  echo two\nfi\n');
    stdin.end('exit 5\necho never\n');
    expect(await done).toMatchObject({ code: 5, stdout: 'one\ntwo\n' });
  });

  it('gives commands in a pipeline real streams', async () => {
    const r = await sh('seq 20000 | grep 99 | wc -l; yes | head -n 3 | wc -l');
    expect(r.stdout).toBe('560\n3\n');
  });

  it('parses into a tree whose incomplete input is flagged', () => {
    const list = parseScript('a | b && c; d &');
    expect(list.items).toHaveLength(2);
    expect(list.items[1]!.background).toBe(true);
    expect(list.items[0]!.command.first.commands).toHaveLength(2);
    for (const partial of ['echo "open', 'if true; then', 'cat <<EOF\nx', 'echo $(ls']) {
      const e = (() => {
        try {
          parseScript(partial);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(ShSyntaxError);
      expect((e as ShSyntaxError).incomplete).toBe(true);
    }
    expect(() => parseScript('fi')).toThrow(ShSyntaxError);
  });
});
