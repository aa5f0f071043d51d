import { describe, expect, it } from 'vitest';
import { UnionFS } from '../../../src/fs-union/union-fs.js';
import { createRootfs, run, sh } from './helpers/harness.js';

// The same programs over the real union view the emulator gives containers.
describe('programs over UnionFS', () => {
  it('runs a Dockerfile-style RUN line and leaves the changes in the rw layer', async () => {
    const fs = await createRootfs(new UnionFS([]));
    const r = await sh(
      'set -e; mkdir -p /app/data && cd /app && echo \'{"name":"app"}\' > package.json && ' +
        'printf "a\\nb\\n" > data/list && wc -l < data/list && ln -s package.json pkg && cat pkg && ' +
        'chmod 600 package.json && ls -l package.json | cut -c1-10 && rm -rf data && ls',
      { fs },
    );
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: '2\n{"name":"app"}\n-rw-------\npackage.json\npkg\n' });
  });

  it('round-trips a tree through tar and runs a script from it', async () => {
    const fs = await createRootfs(new UnionFS([]));
    await sh('mkdir -p /src/bin && printf "#!/bin/sh\\necho from \\$0 \\"\\$@\\"\\n" > /src/bin/hello && chmod +x /src/bin/hello && tar -czf /src.tgz -C /src .', { fs });
    await sh('mkdir /opt/x -p && tar -xzf /src.tgz -C /opt/x', { fs });
    const r = await run(['/opt/x/bin/hello', 'a', 'b'], { fs });
    expect(r).toMatchObject({ code: 0, stdout: 'from /opt/x/bin/hello a b\n' });
  });
});
