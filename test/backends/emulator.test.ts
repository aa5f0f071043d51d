import { Engine } from '../../src/index.js';
import { describeBackend } from '../../src/testing/index.js';

// The emulator must have every capability the suite uses: none may be skipped.
// Its -P ports come from their own range here, because the docker suite runs beside this one
// and Docker's allocator hands out 32768 and up without asking the OS what is free.
describeBackend({
  name: 'emulator',
  open: () => Engine.open({ backend: 'emulator', portRange: [40000, 40999] }),
  mayLack: [],
});
