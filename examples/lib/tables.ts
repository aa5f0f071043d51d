/**
 * Prints Stowage's results the way the `docker` command prints them (`docker ps -a`,
 * `docker images`), so the walkthrough reads like the tutorial it follows.
 *
 * @module
 */
import type { ContainerSummary, ImageSummary } from 'stowage';
import { humanDuration } from 'stowage';

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('');
  return [line(headers), ...rows.map(line)].join('\n');
}

function ago(date: Date, now: Date): string {
  return `${humanDuration(now.getTime() - date.getTime())} ago`;
}

/** Docker's `units.HumanSize`: decimal units, about 3 significant digits (`4.86MB`, `1.2kB`). */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${Number(value.toPrecision(3))}${units[i]}`;
}

function ports(rows: ContainerSummary['ports']): string {
  return rows
    .filter((p) => p.hostPort > 0 && p.hostIp !== '::')
    .map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`)
    .join(', ');
}

/** `docker ps -a`. */
export function psTable(rows: ContainerSummary[], now = new Date()): string {
  return table(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
    rows.map((r) => [
      r.id.slice(0, 12),
      r.image,
      JSON.stringify(r.command.length > 20 ? `${r.command.slice(0, 19)}…` : r.command),
      ago(r.created, now),
      r.status,
      ports(r.ports),
      r.names.join(','),
    ]),
  );
}

/** `docker images`. */
export function imagesTable(rows: ImageSummary[], now = new Date()): string {
  const out: string[][] = [];
  for (const r of rows) {
    const tags = r.repoTags.length > 0 ? r.repoTags : ['<none>:<none>'];
    for (const t of tags) {
      const i = t.lastIndexOf(':');
      out.push([t.slice(0, i), t.slice(i + 1), r.id.slice(7, 19), ago(r.created, now), humanSize(r.size)]);
    }
  }
  return table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], out);
}
