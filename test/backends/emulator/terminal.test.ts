import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalOutput } from '../../../src/backends/emulator/containers/terminal.js';

async function through(chunks: string[]): Promise<string> {
  const sink = new PassThrough();
  const tty = new TerminalOutput(sink);
  let out = '';
  sink.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  for (const c of chunks) tty.write(Buffer.from(c, 'latin1'));
  await new Promise<void>((resolve) => tty.end(resolve));
  return out;
}

describe('TerminalOutput', () => {
  it('turns \\n into \\r\\n and marks the stream as a terminal', async () => {
    expect(await through(['a\nb\n'])).toBe('a\r\nb\r\n');
    expect(new TerminalOutput(new PassThrough()).isTTY).toBe(true);
  });

  it('keeps a \\r\\n the program wrote, also when a chunk ends between the two', async () => {
    expect(await through(['x\r\ny\n'])).toBe('x\r\ny\r\n');
    expect(await through(['x\r', '\ny'])).toBe('x\r\ny');
    expect(await through(['x', '\n', '\n'])).toBe('x\r\n\r\n');
  });

  it('ends its target when it ends', async () => {
    const sink = new PassThrough();
    const tty = new TerminalOutput(sink);
    sink.resume();
    const ended = new Promise((resolve) => sink.on('end', resolve));
    tty.end('bye\n');
    await ended;
  });
});
