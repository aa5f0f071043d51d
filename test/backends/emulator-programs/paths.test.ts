import { describe, expect, it } from 'vitest';
import { sh } from './helpers/harness.js';

describe('printenv, readlink, realpath, mktemp, chgrp', () => {
  it('printenv prints values and fails on an unset name', async () => {
    const r = await sh('FOO=bar printenv FOO; printenv NOPE; echo "status $?"; FOO=x printenv | grep -c "^FOO=x$"');
    expect(r.stdout).toBe('bar\nstatus 1\n1\n');
  });

  it('readlink prints a target, -f the canonical path, and is silent on failure', async () => {
    const r = await sh('mkdir -p /r/d && ln -s d /r/l && ln -s /r/l /r/ll; readlink /r/l; readlink -f /r/ll; readlink /r/d; echo "status $?"');
    expect(r.stdout).toBe('d\n/r/d\nstatus 1\n');
    expect(r.stderr).toBe('');
  });

  it('realpath resolves relative names and reports a missing parent', async () => {
    // As busybox: a missing last component is fine, a missing parent is not.
    const r = await sh('mkdir -p /p/q && cd /p && realpath q ../p/q/. /p/new; realpath /nope/x; echo "status $?"');
    expect(r.stdout).toBe('/p/q\n/p/q\n/p/new\nstatus 1\n');
    expect(r.stderr).toBe('realpath: /nope/x: No such file or directory\n');
  });

  it('mktemp makes a private file or directory from a template', async () => {
    const r = await sh('f=$(mktemp) && d=$(mktemp -d /tmp/work.XXXX) && stat -c "%a" "$f" "$d" && case "$f" in /tmp/tmp.??????) echo named;; esac && test -d "$d" && echo dir; mktemp /tmp/bad; echo "status $?"');
    expect(r.stdout).toBe('600\n700\nnamed\ndir\nstatus 1\n');
    expect(r.stderr).toBe('mktemp: invalid template: /tmp/bad\n');
  });

  it('chgrp changes the group like chown :GROUP', async () => {
    const r = await sh('touch /g && chgrp 33 /g && stat -c "%u %g" /g');
    expect(r.stdout).toBe('0 33\n');
  });
});

describe('[[ applet', () => {
  it('tests like [ with a closing ]]', async () => {
    const r = await sh('/bin/[[ 1 -lt 2 ]] && echo yes; /bin/[[ 1 -lt 2; echo "status $?"');
    expect(r.stdout).toBe('yes\nstatus 2\n');
    expect(r.stderr).toBe('[[: missing ]]\n');
  });
});
