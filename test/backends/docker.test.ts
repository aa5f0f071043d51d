import { Engine } from '../../src/index.js';
import { probeDocker } from '../../src/backends/docker/index.js';
import { describeBackend } from '../../src/testing/index.js';

// Engine 20.10's API cannot signal an exec, and its classic builder has no heredocs or RUN --mount.
describeBackend({
  name: 'docker',
  open: () => Engine.open({ backend: 'docker' }),
  available: () => probeDocker(),
  mayLack: ['execKill', 'buildHeredocs', 'buildMounts'],
});
