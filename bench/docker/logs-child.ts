/**
 * Child process of the log throughput benchmark: reads all logs of one finished container
 * through one client and prints one JSON line ({@link LogsChildReport}). Each client gets a
 * fresh process so peak RSS is its own.
 *
 * Usage: `node --import tsx logs-child.ts <stowage|dockerode> <containerId>`.
 *
 * @module
 */
import { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import { Engine } from '../../src/index.js';

/** What the child reports. */
export interface LogsChildReport {
  /** Which client. */
  client: string;
  /** Payload bytes received (Stowage: line text plus one byte per line terminator). */
  bytes: number;
  /** Lines (Stowage) or 0 (dockerode hands out chunks, not lines). */
  lines: number;
  /** Milliseconds from the request to the last byte. */
  ms: number;
  /** Peak resident set size of this process during the read (sampled every 10 ms), bytes. */
  maxRss: number;
  /** Resident set size before the read, bytes. */
  rssBefore: number;
}

async function viaStowage(id: string): Promise<{ bytes: number; lines: number }> {
  await using engine = await Engine.open({ backend: 'docker' });
  const c = await engine.containers.get(id);
  let bytes = 0;
  let lines = 0;
  for await (const line of c.logs()) {
    bytes += Buffer.byteLength(line.text) + 1;
    lines++;
  }
  return { bytes, lines };
}

async function viaDockerode(id: string): Promise<{ bytes: number; lines: number }> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const stream = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: true, timestamps: true })) as NodeJS.ReadableStream;
  let bytes = 0;
  const counter = (): Writable => new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } });
  const out = counter();
  const err = counter();
  await new Promise<void>((resolve, reject) => {
    docker.modem.demuxStream(stream, out, err);
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  return { bytes, lines: 0 };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [client, id] = process.argv.slice(2);
  if (!id || (client !== 'stowage' && client !== 'dockerode')) throw new Error('usage: logs-child.ts <stowage|dockerode> <containerId>');
  const rssBefore = process.memoryUsage.rss();
  // Sampled, not getrusage's maxRSS: Linux keeps ru_maxrss across fork and execve, so a child
  // of a big benchmark runner would report its parent's peak.
  let maxRss = rssBefore;
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage.rss()); }, 10);
  const t0 = performance.now();
  const { bytes, lines } = client === 'stowage' ? await viaStowage(id) : await viaDockerode(id);
  const ms = performance.now() - t0;
  clearInterval(sampler);
  maxRss = Math.max(maxRss, process.memoryUsage.rss());
  const report: LogsChildReport = { client, bytes, lines, ms, maxRss, rssBefore };
  console.log(JSON.stringify(report));
}
