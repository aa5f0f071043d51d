import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/index.js';
import type { Program } from '../../../src/backends/emulator/index.js';

/** Answers every connection on port 8080 with one HTTP response naming the program. */
const hello: Program = async (ctx) => {
  await ctx.net.listen(8080, (socket) => {
    socket.once('data', () => {
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello');
    });
  });
  ctx.stdout.write('listening\n');
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  return 0;
};

describe('emulator through the public Engine', () => {
  it('forwards user programs and serves a published port to a real HTTP client', async () => {
    await using engine = await Engine.open({ backend: 'emulator', programs: { hello } });
    const c = await engine.containers.run({ image: 'busybox', cmd: ['hello'], ports: ['127.0.0.1::8080'] });
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      for await (const line of c.logs()) if (line.text === 'listening') ready = true;
      if (!ready) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ready).toBe(true);
    const [row] = await c.port(8080);
    expect(row?.hostPort).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${row!.hostPort}/`);
    expect(await res.text()).toBe('hello');
    await c.stop({ timeout: 5 });
    expect(await c.wait()).toEqual({ exitCode: 0 });
    await c.remove();
  });
});
