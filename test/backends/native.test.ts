import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import { probeNative } from '../../src/backends/native/index.js';
import { describeBackend } from '../../src/testing/index.js';

// Its own temp roots (the runtime root on tmpfs); the supervisor lingers a few seconds after
// the suite, then exits by itself.
const base = mkdtempSync(join('/tmp', 'stowage-native-suite-'));
describeBackend({
  name: 'native',
  open: () => Engine.open({ backend: 'native', root: join(base, 'root'), runRoot: join(base, 'run'), supervisorIdleMs: 5_000 }),
  available: () => probeNative(),
  // Until the network half lands: no bridge, links or published ports. Builds and pushes are not wired yet.
  mayLack: ['networks', 'links', 'publishPorts', 'build', 'buildHeredocs', 'buildMounts', 'push'],
});
