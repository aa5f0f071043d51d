import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { rewriteContextDockerfile } from '../../../src/backends/docker/images/context-stream.js';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string; pax?: Record<string, string> };

async function tarBuffer(entries: Entry[]): Promise<Buffer> {
  const tar = pack();
  for (const e of entries) {
    const { body, ...header } = e;
    if (body === undefined) tar.entry({ mode: 0o755, ...header });
    else tar.entry({ mode: 0o644, ...header }, body);
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function read(tar: Readable): Promise<Array<{ name: string; type: string; body: string; mode: number }>> {
  const ex = extract();
  tar.on('error', (error) => ex.destroy(error));
  tar.pipe(ex);
  const out: Array<{ name: string; type: string; body: string; mode: number }> = [];
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push({ name: entry.header.name, type: entry.header.type, body: Buffer.concat(chunks).toString(), mode: entry.header.mode });
  }
  return out;
}

const upper = (text: string): string => text.toUpperCase();

describe('rewriteContextDockerfile (tar-stream build contexts)', () => {
  it('rewrites only the Dockerfile, wherever it stands, and passes every other entry on as it was', async () => {
    const input = await tarBuffer([
      { name: 'app/', type: 'directory' },
      { name: 'app/main.txt', body: 'main\n' },
      { name: 'link', type: 'symlink', linkname: 'app/main.txt' },
      { name: './docker/../Dockerfile', body: 'from a\n', pax: { comment: 'kept' } },
      { name: 'Dockerfile.other', body: 'from b\n' },
    ]);
    const out = await read(rewriteContextDockerfile(Readable.from([input]), { dockerfile: 'Dockerfile', rewrite: upper }));
    expect(out).toEqual([
      { name: 'app/', type: 'directory', body: '', mode: 0o755 },
      { name: 'app/main.txt', type: 'file', body: 'main\n', mode: 0o644 },
      { name: 'link', type: 'symlink', body: '', mode: 0o755 },
      { name: './docker/../Dockerfile', type: 'file', body: 'FROM A\n', mode: 0o644 },
      { name: 'Dockerfile.other', type: 'file', body: 'from b\n', mode: 0o644 },
    ]);
  });

  it('reads a gzip context, finds a Dockerfile in a subfolder, and leaves it unchanged when the rewrite says so', async () => {
    const input = gzipSync(await tarBuffer([{ name: 'ci/Dockerfile.dev', body: 'from c\n' }, { name: 'x', body: 'x' }]));
    const seen: string[] = [];
    const out = await read(rewriteContextDockerfile(Readable.from([input.subarray(0, 3), input.subarray(3)]), {
      dockerfile: './ci/Dockerfile.dev', rewrite: (t) => { seen.push(t); return undefined; },
    }));
    expect(seen).toEqual(['from c\n']);
    expect(out.map((e) => [e.name, e.body])).toEqual([['ci/Dockerfile.dev', 'from c\n'], ['x', 'x']]);
  });

  it('passes a context it cannot decode (bzip2) through byte for byte, and one without the Dockerfile unchanged', async () => {
    const bzip = Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(100, 7)]);
    const chunks: Buffer[] = [];
    for await (const c of rewriteContextDockerfile(Readable.from([bzip]), { dockerfile: 'Dockerfile', rewrite: upper })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bzip)).toBe(true);
    const none = await read(rewriteContextDockerfile(Readable.from([await tarBuffer([{ name: 'a', body: 'a' }])]), { dockerfile: 'Dockerfile', rewrite: upper }));
    expect(none.map((e) => e.body)).toEqual(['a']);
  });

  it('fails the stream with what the rewrite throws', async () => {
    const input = await tarBuffer([{ name: 'Dockerfile', body: 'RUN <<EOF\n' }]);
    const refused = new Error('refused');
    await expect(read(rewriteContextDockerfile(Readable.from([input]), { dockerfile: 'Dockerfile', rewrite: () => { throw refused; } })))
      .rejects.toBe(refused);
  });

  it('streams: a large entry flows out before the input has been produced in full', async () => {
    const size = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 1);
    let produced = 0;
    const tar = pack();
    tar.entry({ name: 'Dockerfile' }, 'from d\n');
    const sink = tar.entry({ name: 'big', size });
    void (async () => {
      // Written with backpressure: the producer waits while nobody reads.
      for (; produced < size; produced += chunk.length) {
        if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
      }
      sink.end(Buffer.alloc(0));
      tar.finalize();
    })();
    const out = rewriteContextDockerfile(Readable.from(tar), { dockerfile: 'Dockerfile', rewrite: upper });
    let received = 0;
    let producedAtFirstMegabytes = -1;
    for await (const c of out) {
      received += (c as Buffer).length;
      if (producedAtFirstMegabytes < 0 && received > 2 * 1024 * 1024) producedAtFirstMegabytes = produced;
    }
    expect(received).toBeGreaterThan(size);
    expect(producedAtFirstMegabytes).toBeGreaterThan(0);
    expect(producedAtFirstMegabytes).toBeLessThan(size / 2);
  });
});
