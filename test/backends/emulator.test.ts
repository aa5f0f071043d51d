import { Engine } from '../../src/index.js';
import { describeBackend } from '../../src/testing/index.js';

// The emulator must have every capability: none may be skipped.
describeBackend({
  name: 'emulator',
  open: () => Engine.open({ backend: 'emulator' }),
  mayLack: [],
});
