import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { Engine } from '../../src/index.js';
import { probeNative } from '../../src/backends/native/index.js';
import { describeBackend } from '../../src/testing/index.js';
import { removeNativeRoots } from './native/helpers.js';

// Its own temp roots; after the suite the supervisor is shut down and every mount under the
// roots is gone before they are deleted.
const base = mkdtempSync(join('/tmp', 'stowage-native-suite-'));
const roots = { root: join(base, 'root'), runRoot: join(base, 'run') };
afterAll(() => removeNativeRoots(base, roots));

describeBackend({
  name: 'native',
  open: () => Engine.open({ backend: 'native', ...roots, supervisorIdleMs: 5_000 }),
  available: () => probeNative(),
  // Until the network half lands: no bridge, links or published ports. Builds and pushes are not wired yet.
  mayLack: ['networks', 'links', 'publishPorts', 'build', 'buildHeredocs', 'buildMounts', 'push'],
});
