import { describe, expect, it } from 'vitest';
import { sh } from './helpers/harness.js';

describe('busybox multi-call', () => {
  it('a link named after an applet it lacks says so, as busybox does', async () => {
    const r = await sh('ln -s /bin/busybox /bin/frobnicate; frobnicate; echo "status $?"');
    expect(r.stdout).toBe('status 127\n');
    expect(r.stderr).toBe('frobnicate: applet not found\n');
  });

  it('runs the applet named by its first argument', async () => {
    const r = await sh('busybox echo hi; busybox nope; echo "status $?"');
    expect(r.stdout).toBe('hi\nstatus 127\n');
    expect(r.stderr).toBe('nope: applet not found\n');
  });
});
