import { describe, expect, it } from 'vitest';
import { createSocketPair } from '../../../src/backends/emulator/network/socket-pair.js';
import { readAll } from './helpers.js';

const ends = () => createSocketPair({ address: '172.17.0.2', port: 40000 }, { address: '172.17.0.3', port: 80 });

describe('createSocketPair', () => {
  it('carries data both ways with half-close', async () => {
    const { client, server } = ends();
    server.on('data', (c: Buffer) => server.write(c.toString().toUpperCase()));
    server.on('end', () => server.end('!'));
    client.end('hello');
    expect(await readAll(client)).toBe('HELLO!');
    expect(client.remoteAddress).toBe('172.17.0.3');
    expect(server.remotePort).toBe(40000);
  });

  it('holds the writer back while the reader does not read', async () => {
    const { client, server } = ends();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let acknowledged = 0;
    // Write until the stream says stop; with no reader, acknowledgements must stall.
    while (client.write(chunk, () => { acknowledged++; }));
    const written = client.writableLength;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(written).toBeGreaterThan(0);
    expect(client.writableNeedDrain).toBe(true);
    const stalled = acknowledged;
    // Reading releases them, and everything written arrives in order.
    let received = 0;
    const drained = new Promise<void>((resolve) => client.once('drain', () => resolve()));
    server.on('data', (c: Buffer) => { received += c.length; });
    await drained;
    expect(acknowledged).toBeGreaterThan(stalled);
    client.end();
    await new Promise<void>((resolve) => server.once('end', () => resolve()));
    expect(received % chunk.length).toBe(0);
    expect(received).toBeGreaterThan(0);
  });

  it('ends the peer when one side is destroyed, without error events', async () => {
    const { client, server } = ends();
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    server.on('error', (e) => errors.push(e));
    const ended = readAll(client);
    server.destroy();
    expect(await ended).toBe('');
    // Writing into a dead connection does not raise an unhandled error either.
    client.write('late');
    await new Promise<void>((resolve) => client.once('close', () => resolve()));
    expect(errors).toEqual([]);
  });
});
