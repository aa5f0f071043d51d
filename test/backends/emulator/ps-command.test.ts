import { describe, expect, it } from 'vitest';
import { psCommand } from '../../../src/backends/emulator/containers/list.js';

describe('docker ps COMMAND', () => {
  it('quotes arguments with spaces in single quotes, as the engine does', () => {
    expect(psCommand(['sh', '-c', 'echo hi; env'])).toBe("sh -c 'echo hi; env'");
    expect(psCommand(['nginx', '-g', 'daemon off;'])).toBe("nginx -g 'daemon off;'");
    expect(psCommand(['sleep', '1000'])).toBe('sleep 1000');
    expect(psCommand([])).toBe('');
  });
});
