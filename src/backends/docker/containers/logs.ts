/**
 * `container.logs()` over `GET /containers/{id}/logs`, always with `timestamps=1` so every
 * line has its time, read frame by frame (see log-frames.ts for the joining rules).
 *
 * @module
 */
import type { CallOptions } from '../../../core/backend.js';
import type { LogLine, LogsRequest } from '../../../core/schemas/index.js';
import { seg, type DockerBackendContext } from '../context.js';
import { FrameParser, LogLineAssembler } from './log-frames.js';

/** A Date as the engine's `since`/`until` (Unix seconds with a fraction). */
export function unixSeconds(date: Date | undefined): string | undefined {
  if (!date) return undefined;
  const ms = date.getTime();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
}

/**
 * Streams a container's log lines. The inspect first tells framed from TTY output and turns a
 * missing container into a NotFoundError of the iteration; `follow` uses the long-lived pool.
 * Backpressure is the iterator's: nothing is read ahead of the consumer beyond one chunk.
 */
export async function* containerLogs(ctx: DockerBackendContext, id: string, request: LogsRequest, options: CallOptions = {}): AsyncGenerator<LogLine> {
  const { signal } = options;
  const info = await ctx.client.json<{ Config?: { Tty?: boolean } }>('GET', `/containers/${seg(id)}/json`, { signal });
  const tty = info.Config?.Tty ?? false;
  if (!request.stdout && !request.stderr) return;
  const body = await ctx.client.stream('GET', `/containers/${seg(id)}/logs`, {
    query: {
      stdout: request.stdout,
      stderr: request.stderr,
      timestamps: true,
      follow: request.follow,
      tail: request.tail === undefined ? 'all' : String(request.tail),
      since: unixSeconds(request.since),
      until: unixSeconds(request.until),
    },
    longLived: request.follow,
    signal,
  });
  const frames = new FrameParser();
  const lines = new LogLineAssembler();
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (tty) {
        yield* lines.pushRaw(buf);
        continue;
      }
      for (const frame of frames.push(buf)) yield* lines.push(frame);
    }
    yield* lines.end();
  } finally {
    body.destroy();
  }
}
