/**
 * Benchmark (b): log streaming throughput of a container that wrote 200 MB to stdout, through
 * Stowage's `logs()` (demux, 16 KiB partial frames joined, one LogLine per line with its time)
 * and through dockerode's `modem.demuxStream` (bytes only), each in a child process of its own
 * so its peak RSS is measured alone.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Engine } from '../../src/index.js';
import type { BenchResult } from '../result.js';
import type { LogsChildReport } from './logs-child.js';

const execFileP = promisify(execFile);
const MB = 1024 * 1024;

/** Options of {@link benchDockerLogs}. */
export interface DockerLogsOptions {
  /** Engine (docker backend) to create the writer container with. */
  engine: Engine;
  /** Image with busybox. */
  image: string;
  /** Bytes the container writes (default 200 MiB). */
  bytes?: number;
  /** Length of each line, newline included (default 1 KiB). */
  lineLength?: number;
  /** Cancels the child processes. */
  signal?: AbortSignal;
}

async function child(client: 'stowage' | 'dockerode', id: string, signal?: AbortSignal): Promise<LogsChildReport> {
  const here = dirname(fileURLToPath(import.meta.url));
  const { stdout } = await execFileP(process.execPath, ['--import', import.meta.resolve('tsx'), join(here, 'logs-child.ts'), client, id], {
    timeout: 600_000,
    maxBuffer: 1 << 20,
    ...(signal ? { signal } : {}),
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as LogsChildReport;
}

/** Runs the log throughput comparison. */
export async function benchDockerLogs(options: DockerLogsOptions): Promise<BenchResult[]> {
  const total = options.bytes ?? 200 * MB;
  const lineLength = options.lineLength ?? 1024;
  const { engine } = options;
  // `yes` repeats one line; head cuts the stream at exactly `total` bytes.
  const line = 'x'.repeat(lineLength - 1);
  const writer = await engine.containers.run({ image: options.image, cmd: ['sh', '-c', `yes ${line} | head -c ${total}`], pull: 'never' });
  try {
    const { exitCode } = await writer.wait();
    if (exitCode !== 0) throw new Error(`the writer container exited with ${exitCode}`);
    // Alternate, and keep each client's best of two runs (the first may warm the engine's page cache).
    const runs: LogsChildReport[] = [];
    for (let i = 0; i < 2; i++) for (const client of ['stowage', 'dockerode'] as const) runs.push(await child(client, writer.id, options.signal));
    const best = (client: string): LogsChildReport => runs.filter((r) => r.client === client).sort((a, b) => a.ms - b.ms)[0]!;
    const ours = best('stowage');
    const peer = best('dockerode');
    if (ours.bytes !== total) throw new Error(`stowage read ${ours.bytes} bytes of ${total}`);
    const mbps = (r: LogsChildReport): number => (r.bytes / MB) / (r.ms / 1000);
    return [
      {
        name: `docker: logs of ${(total / MB).toFixed(0)} MB stdout (${lineLength} B lines), MB/s vs dockerode demuxStream`,
        ours: mbps(ours), peer: mbps(peer), unit: 'MB/s', ratio: mbps(ours) / mbps(peer),
        note: `stowage yields ${ours.lines} LogLine objects with times; dockerode only splits bytes (timestamps=1 on both)`,
      },
      {
        name: 'docker: peak RSS while reading those logs, MB vs dockerode',
        ours: ours.maxRss / MB, peer: peer.maxRss / MB, unit: 'MB', ratio: ours.maxRss / peer.maxRss,
        note: `each in its own child process; RSS before the read: ${(ours.rssBefore / MB).toFixed(0)} / ${(peer.rssBefore / MB).toFixed(0)} MB`,
      },
    ];
  } finally {
    await writer.remove({ force: true });
  }
}
