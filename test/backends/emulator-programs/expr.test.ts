import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run, sh } from './helpers/harness.js';

const BUSYBOX = '/usr/bin/busybox';
const haveBusybox = existsSync(BUSYBOX);

/** [arguments, expected stdout, expected stderr, expected exit status] — checked against busybox 1.35. */
const cases: [string[], string, string, number][] = [
  [['1', '+', '2'], '3\n', '', 0],
  [['7', '/', '-2'], '-3\n', '', 0],
  [['-7', '%', '2'], '-1\n', '', 0],
  [['5', '*', '-2'], '-10\n', '', 0],
  [['(', '1', '+', '2', ')', '*', '3'], '9\n', '', 0],
  [['2', '+', '3', '*', '4'], '14\n', '', 0],
  [['9223372036854775807', '+', '1'], '-9223372036854775808\n', '', 0],
  [['08', '+', '1'], '9\n', '', 0],
  [[' 5', '+', '1'], '6\n', '', 0],
  [['0'], '0\n', '', 1],
  [['00'], '00\n', '', 0],
  [[''], '\n', '', 1],
  [['10', '<', '9'], '0\n', '', 1],
  [['10', '<', '9a'], '1\n', '', 0],
  [['2', '=', '02'], '1\n', '', 0],
  [['2', '!=', '02'], '0\n', '', 1],
  [['abc', '<', 'abd'], '1\n', '', 0],
  [['', '=', '0'], '0\n', '', 1],
  [['3', '|', '0'], '3\n', '', 0],
  [['', '|', 'x'], 'x\n', '', 0],
  [['0', '|', '0'], '0\n', '', 1],
  [['0', '&', '3'], '0\n', '', 1],
  [['2', '&', '3'], '2\n', '', 0],
  [['abc', ':', 'a\\(.\\)'], 'b\n', '', 0],
  [['abc', ':', 'x\\(.\\)'], '\n', '', 1],
  [['abc', ':', 'ab'], '2\n', '', 0],
  [['abc', ':', 'b'], '0\n', '', 1],
  [['abc', ':', '.*'], '3\n', '', 0],
  [['abcabc', ':', '\\(abc\\)*'], 'abc\n', '', 0],
  [['abc', ':', 'a\\(x\\)*'], '1\n', '', 0],
  [['a+b', ':', 'a+b'], '3\n', '', 0],
  [['ab', ':', 'a\\|b'], '1\n', '', 0],
  [['match', 'abc', 'a.'], '2\n', '', 0],
  [['v1.2.3', ':', 'v\\([0-9]*\\)'], '1\n', '', 0],
  [['length', 'hello'], '5\n', '', 0],
  [['length', '12', '+', '1'], '3\n', '', 0],
  [['substr', 'hello', '2', '3'], 'ell\n', '', 0],
  [['substr', 'abc', '0', '1'], '\n', '', 1],
  [['substr', 'abc', '5', '1'], '\n', '', 1],
  [['index', 'hello', 'l'], '3\n', '', 0],
  [['index', 'abc', 'xc'], '3\n', '', 0],
  [['index', 'abc', ''], '0\n', '', 1],
  [['5', '/', '0'], '', 'expr: division by zero\n', 2],
  [['5', '%', '0'], '', 'expr: division by zero\n', 2],
  [['1', '+', 'a'], '', 'expr: non-numeric argument\n', 2],
  [['1', '+'], '', 'expr: syntax error\n', 2],
  [['1', '2'], '', 'expr: syntax error\n', 2],
  [['(', '1'], '', 'expr: syntax error\n', 2],
  [['length'], '', 'expr: syntax error\n', 2],
  [['+', 'x'], '', 'expr: syntax error\n', 2],
  [[], '', 'expr: too few arguments\n', 2],
];

describe('expr', () => {
  for (const [args, stdout, stderr, code] of cases) {
    it(JSON.stringify(args), async () => {
      const r = await run(['expr', ...args]);
      expect({ stdout: r.stdout, stderr: r.stderr, code: r.code }).toEqual({ stdout, stderr, code });
    });
  }

  it.skipIf(!haveBusybox)('agrees with busybox expr on every case', () => {
    for (const [args, stdout, stderr, code] of cases) {
      const real = spawnSync(BUSYBOX, ['expr', ...args], { encoding: 'utf8' });
      expect({ args, stdout: real.stdout, stderr: real.stderr, code: real.status }).toEqual({ args, stdout, stderr, code });
    }
  });

  it('drives shell loops as Dockerfiles use it', async () => {
    const r = await sh('i=0; while [ $i -lt 3 ]; do i=$(expr $i + 1); echo $i; done; expr "$i" \\* 2 >/dev/null && echo nonzero');
    expect(r.stdout).toBe('1\n2\n3\nnonzero\n');
    expect(r.code).toBe(0);
  });
});
