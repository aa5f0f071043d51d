import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortError, BackendUnavailableError, BuildError, EngineError, NotFoundError } from '../../../src/core/errors.js';
import { JsonObjectSplitter } from '../../../src/backends/docker/transport/json-splitter.js';
import { readJsonProgress } from '../../../src/backends/docker/transport/json-progress.js';
import type { ProgressEvent } from '../../../src/backends/docker/transport/json-progress.js';

function body(...chunks: (string | Buffer)[]): Readable {
  return Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

describe('JsonObjectSplitter', () => {
  it('splits newline-separated, concatenated and chunk-split objects, including inside strings', () => {
    const objects = [{ status: 'a' }, { stream: 'step {1} "quoted" \\ \u00e9\u4e2d\n' }, { aux: { ID: 'sha256:x' } }, { nested: [{ a: [1, { b: '}' }] }] }];
    const text = `${JSON.stringify(objects[0])}\r\n${JSON.stringify(objects[1])}${JSON.stringify(objects[2])}\n\n${JSON.stringify(objects[3])}\r\n`;
    const bytes = Buffer.from(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 6 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const splitter = new JsonObjectSplitter();
        const out: unknown[] = [];
        let last = 0;
        // Cuts land anywhere, including inside a multi-byte character.
        for (const point of [...points, bytes.length]) {
          out.push(...splitter.push(bytes.subarray(last, point)));
          last = point;
        }
        splitter.end();
        expect(out).toEqual(objects);
      }),
    );
  });

  it('rejects garbage between messages and a cut-off last message', () => {
    expect(() => new JsonObjectSplitter().push('{"a":1} nope')).toThrow(EngineError);
    const splitter = new JsonObjectSplitter();
    splitter.push('{"a":');
    expect(() => splitter.end()).toThrow(/ended inside a message/);
  });

  it('bounds the size of one message', () => {
    const splitter = new JsonObjectSplitter(100);
    expect(() => splitter.push(`{"a":"${'x'.repeat(200)}`)).toThrow(/exceeds 100/);
  });
});

describe('readJsonProgress', () => {
  it('reports pull progress with layer ids and byte counts, and resolves at the end', async () => {
    const events: ProgressEvent[] = [];
    const result = await readJsonProgress(
      body(
        '{"status":"Pulling from library/busybox","id":"latest"}\r\n{"status":"Downloading","progressDetail":{"current":10,"total":',
        '100},"progress":"[=>   ]","id":"abc123"}\r\n{"status":"Pull complete","progressDetail":{},"id":"abc123"}\r\n',
        '{"status":"Status: Downloaded newer image for busybox:latest"}\r\n',
      ),
      { onProgress: (e) => events.push(e) },
    );
    expect(events).toEqual([
      { id: 'latest', status: 'Pulling from library/busybox' },
      { id: 'abc123', status: 'Downloading', current: 10, total: 100 },
      { id: 'abc123', status: 'Pull complete' },
      { status: 'Status: Downloaded newer image for busybox:latest' },
    ]);
    expect(result.count).toBe(4);
    expect(result.lastStatus).toBe('Status: Downloaded newer image for busybox:latest');
  });

  it('collects build output and aux image IDs', async () => {
    const events: ProgressEvent[] = [];
    const result = await readJsonProgress(
      body('{"stream":"Step 1/2 : FROM busybox\\n"}{"stream":"\\n"}{"stream":" ---\\u003e abc\\n"}{"aux":{"ID":"sha256:0123"}}{"stream":"Successfully built 0123\\n"}'),
      { onProgress: (e) => events.push(e) },
    );
    expect(result.aux).toEqual([{ ID: 'sha256:0123' }]);
    expect(events.map((e) => e.status)).toEqual(['Step 1/2 : FROM busybox', ' ---> abc', 'Successfully built 0123']);
    expect(result.streams).toHaveLength(4);
  });

  it('rejects on errorDetail with a class chosen by the message', async () => {
    const error = await readJsonProgress(
      body('{"status":"Pulling from x/y"}\n{"errorDetail":{"message":"manifest unknown: manifest unknown"},"error":"manifest unknown: manifest unknown"}\n'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).details).toMatchObject({ reason: 'no-such-image' });
  });

  it('rejects on a bare error string, and lets a caller choose the error (a failed build)', async () => {
    const src = '{"stream":"Step 2/2 : RUN false\\n"}{"stream":" ---\\u003e Running in 1\\n"}{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c false\' returned a non-zero code: 1"},"error":"x"}';
    const error = await readJsonProgress(body(src), {
      toError: (message, detail) => new BuildError(message, { details: { code: detail.code, step: detail.messages.find((m) => m.stream?.startsWith('Step'))?.stream?.trim() } }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).details).toEqual({ code: 1, step: 'Step 2/2 : RUN false' });

    const bare = await readJsonProgress(body('{"error":"something broke"}')).catch((e: unknown) => e);
    // A 5xx-like failure the message does not explain: the engine answered, so not "unavailable".
    expect(bare).toBeInstanceOf(EngineError);
    expect((bare as Error).message).toBe('something broke');
  });

  it('does not resolve before the stream ends (unlike dockerode pull)', async () => {
    const source = new Readable({ read() {} });
    let settled = false;
    const done = readJsonProgress(source).then(() => (settled = true));
    source.push('{"status":"Pull complete","id":"a"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    source.push(null);
    await done;
    expect(settled).toBe(true);
  });

  it('aborts with AbortError carrying the reason, and destroys the body', async () => {
    const source = new Readable({ read() {} });
    const controller = new AbortController();
    const pending = readJsonProgress(source, { signal: controller.signal });
    source.push('{"status":"Downloading"}\n');
    const reason = new Error('user cancelled');
    controller.abort(reason);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect(source.destroyed).toBe(true);
  });

  it('types a failure of the body itself', async () => {
    const source = new Readable({ read() {} });
    const pending = readJsonProgress(source);
    source.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    await expect(pending).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});
