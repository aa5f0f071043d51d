import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sh } from './helpers/harness.js';

describe('tar and gzip', () => {
  it('round-trips a tree through tar -czf / -xzf, keeping modes and links', async () => {
    const r = await sh(
      [
        'mkdir -p /src/app/bin && echo hi > /src/app/f && printf "#!/bin/sh\\n" > /src/app/bin/run',
        'chmod 755 /src/app/bin/run && ln -s f /src/app/link',
        'tar -czf /app.tgz -C /src app',
        'mkdir /dst && tar -xzf /app.tgz -C /dst',
        'cat /dst/app/f; stat -c %a /dst/app/bin/run; ls -l /dst/app/link | sed "s/.* -> //"',
        'tar -tzf /app.tgz',
      ].join(' && '),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hi\n755\nf\napp\napp/bin\napp/bin/run\napp/f\napp/link\n');
    expect(gunzipSync(await r.fs.readFile('/app.tgz')).length % 512).toBe(0);
  });

  it('supports old-style flags, stdout/stdin archives and -v listing', async () => {
    const r = await sh('mkdir /d && echo x > /d/x && cd / && tar cf - d | tar tvf - | cut -c1-10,30-');
    expect(r.stdout).toMatch(/^drwxr-xr-x.* d\n-rw-r--r--.* d\/x\n$/);
  });

  it('strips leading slashes and refuses members that climb out', async () => {
    const made = await sh('mkdir /abs && echo a > /abs/a && tar cf /abs.tar /abs 2>/dev/null && mkdir /out && tar xf /abs.tar -C /out && cat /out/abs/a');
    expect(made.stdout).toBe('a\n');
  });

  it('gzip, gunzip and zcat with -c and -k', async () => {
    const r = await sh('echo data > /f && gzip /f && ls / | grep "^f"; zcat /f.gz; gunzip /f.gz && cat /f; gzip -k /f && ls / | grep -c "^f"; gzip -dc /f.gz; echo piped | gzip | gunzip');
    expect(r.stdout).toBe('f.gz\ndata\ndata\n2\ndata\npiped\n');
  });

  it('reports a missing archive', async () => {
    const r = await sh('tar xf /none.tar; echo $?');
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toBe("tar: can't open '/none.tar': No such file or directory\n");
  });
});
