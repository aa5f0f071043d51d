import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError } from '../../../src/core/errors.js';
import { demuxDockerStream } from '../../../src/backends/docker/transport/demux.js';
import { collect, frame, pollUntil } from './helpers.js';

/** A source that hands out the given chunks one read at a time. */
function chunked(chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

describe('demuxDockerStream', () => {
  it('splits frames that arrive many to a chunk', async () => {
    const all = Buffer.concat([frame(1, 'out1 '), frame(2, 'err1 '), frame(1, 'out2'), frame(2, 'err2'), frame(0, '!')]);
    const { stdout, stderr } = demuxDockerStream(chunked([all]));
    const [out, err] = await Promise.all([collect(stdout), collect(stderr)]);
    expect(out).toBe('out1 out2!');
    expect(err).toBe('err1 err2');
  });

  it('reassembles frames split across chunks at every possible offset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(1, 2), fc.string({ maxLength: 40 })), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }),
        async (frames, sizes) => {
          const bytes = Buffer.concat(frames.map(([type, text]) => frame(type, text)));
          const chunks: Buffer[] = [];
          for (let offset = 0, i = 0; offset < bytes.length; i++) {
            const size = sizes[i % sizes.length]!;
            chunks.push(bytes.subarray(offset, offset + size));
            offset += size;
          }
          const { stdout, stderr } = demuxDockerStream(chunked(chunks));
          const [out, err] = await Promise.all([collect(stdout), collect(stderr)]);
          expect(out).toBe(frames.filter(([t]) => t === 1).map(([, s]) => s).join(''));
          expect(err).toBe(frames.filter(([t]) => t === 2).map(([, s]) => s).join(''));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps memory bounded when the stdout consumer is slow, and loses nothing', async () => {
    const frameSize = 32 * 1024;
    const total = 2000; // 64 MiB available from the source
    let produced = 0;
    const payload = Buffer.alloc(frameSize, 0x61);
    const source = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        // Produce on demand, as a socket under TCP backpressure would.
        if (produced === total) this.push(null);
        else {
          produced++;
          this.push(frame(1, payload));
        }
      },
    });
    const hwm = 64 * 1024;
    const { stdout, stderr } = demuxDockerStream(source, { highWaterMark: hwm });
    stderr.resume();
    // Do not read yet: the source must stop being read once stdout's buffer is full.
    await pollUntil(() => (stdout.readableLength >= hwm ? true : undefined));
    const producedWhileStalled = produced;
    await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBe(producedWhileStalled);
    expect(produced).toBeLessThan(20);
    expect(stdout.readableLength).toBeLessThanOrEqual(hwm + 2 * frameSize);
    // Now drain slowly, one chunk per tick, checking the buffered bytes stay bounded.
    let received = 0;
    let maxBuffered = 0;
    for await (const chunk of stdout) {
      received += (chunk as Buffer).length;
      maxBuffered = Math.max(maxBuffered, stdout.readableLength, source.readableLength);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(received).toBe(frameSize * total);
    expect(maxBuffered).toBeLessThanOrEqual(hwm + 2 * frameSize);
  });

  it('ends both outputs when the source ends, even if an output was full at that moment', async () => {
    const big = Buffer.alloc(200 * 1024, 0x62);
    const { stdout, stderr } = demuxDockerStream(chunked([Buffer.concat([frame(1, big), frame(2, 'tail')])]), { highWaterMark: 1024 });
    const [out, err] = await Promise.all([collect(stdout), collect(stderr)]);
    expect(out.length).toBe(big.length);
    expect(err).toBe('tail');
  });

  it('propagates a source error to both outputs', async () => {
    const source = new Readable({ read() {} });
    const { stdout, stderr } = demuxDockerStream(source);
    source.push(frame(1, 'partial'));
    const failure = new Error('socket hang up');
    setImmediate(() => source.destroy(failure));
    const results = await Promise.allSettled([collect(stdout), collect(stderr)]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('turns an engine error frame (type 3) into a typed error', async () => {
    const { stdout, stderr } = demuxDockerStream(chunked([Buffer.concat([frame(1, 'x'), frame(3, 'Container abc is paused')])]));
    // Only stdout is read: the error goes there, and an unread stderr just closes.
    await expect(collect(stdout)).rejects.toBeInstanceOf(ConflictError);
    expect(stderr.destroyed).toBe(true);
  });

  it('rejects a stream that is not multiplexed', async () => {
    const { stdout, stderr } = demuxDockerStream(chunked([Buffer.from('hello from a tty\n')]));
    await expect(collect(stdout)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(stderr.destroyed).toBe(true);
  });

  it('passes a TTY stream through raw, with an empty stderr', async () => {
    const { stdout, stderr } = demuxDockerStream(chunked([Buffer.from('raw\r\n'), Buffer.from('bytes')]), { tty: true });
    expect(await collect(stdout)).toBe('raw\r\nbytes');
    expect(await collect(stderr)).toBe('');
  });

  it('keeps stderr flowing after stdout is destroyed, and destroys the source when both are', async () => {
    const source = new Readable({ read() {} });
    const { stdout, stderr } = demuxDockerStream(source, { highWaterMark: 16 });
    stdout.destroy();
    source.push(Buffer.concat([frame(1, 'ignored'.repeat(100)), frame(2, 'kept')]));
    source.push(null);
    expect(await collect(stderr)).toBe('kept');

    const source2 = new Readable({ read() {} });
    const both = demuxDockerStream(source2);
    both.stdout.destroy();
    both.stderr.destroy();
    await pollUntil(() => (source2.destroyed ? true : undefined));
  });
});
