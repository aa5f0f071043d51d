import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { Engine } from '../../src/index.js';
import { probeNative } from '../../src/backends/native/index.js';
import { describeBackend } from '../../src/testing/index.js';
import { removeNativeRoots, testNetwork } from './native/helpers.js';

// Its own temp roots; after the suite the supervisor is shut down and every mount under the
// roots is gone before they are deleted.
const base = mkdtempSync(join('/tmp', 'stowage-native-suite-'));
const roots = { root: join(base, 'root'), runRoot: join(base, 'run') };
afterAll(() => removeNativeRoots(base, roots));

describeBackend({
  name: 'native',
  // Subnets of its own: other suites make bridges side by side.
  open: async () => Engine.open({ backend: 'native', ...roots, network: await testNetwork(), supervisorIdleMs: 5_000 }),
  available: () => probeNative(),
  // Every case of the suite runs. (Not wired yet, and used by no case: push, RUN --mount;
  // capabilities says so.)
  mayLack: [],
});
