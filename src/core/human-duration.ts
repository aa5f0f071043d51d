/**
 * Human-readable durations and container status strings, as `docker ps` prints them
 * (go-units `HumanDuration` and moby's `State.String`).
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError } from './errors.js';
import { parseInput } from './schemas/validate.js';
import { strictObject } from './schemas/strict.js';

/**
 * Formats a duration like go-units' `HumanDuration`: "Less than a second", "1 second",
 * "3 seconds", "About a minute", "2 minutes", "About an hour", "3 hours", "2 days",
 * "3 weeks", "4 months", "2 years".
 *
 * @param ms - Duration in milliseconds (negative counts as zero).
 * @example
 * ```ts
 * humanDuration(90_000);   // 'About a minute' (whole minutes, truncated)
 * humanDuration(3_000);    // '3 seconds'
 * ```
 */
export function humanDuration(ms: number): string {
  if (typeof ms !== 'number' || Number.isNaN(ms)) {
    throw new InvalidArgumentError(`invalid ms: expected a number of milliseconds, received ${typeof ms === 'number' ? 'NaN' : typeof ms}`, { details: { path: 'ms' } });
  }
  const d = Math.max(0, ms);
  const seconds = Math.trunc(d / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(d / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Hours round to the nearest, as go-units adds 0.5 before truncating.
  const hours = Math.trunc(d / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(d / 3_600_000) / 24 / 365)} years`;
}

/** Health of a running container with a healthcheck. */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** What {@link formatContainerStatus} needs to know about a container. */
export interface ContainerStatusSpec {
  /** The container's state (API.md `ContainerInfo.state.status`, plus `removing`). */
  status: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';
  /** Last exit code. */
  exitCode: number;
  /** When the main process last started; absent if it never did. */
  startedAt?: Date | undefined;
  /** When the main process last ended; absent if it never did. */
  finishedAt?: Date | undefined;
  /** The reference time, `new Date()` by default (inject it for deterministic output). */
  now?: Date | undefined;
  /** Healthcheck status of a running container, when it has one. */
  health?: HealthStatus | undefined;
}

/**
 * The STATUS column of `docker ps -a`: `Up 3 seconds`, `Up 2 minutes (Paused)`,
 * `Up 5 seconds (health: starting)`, `Exited (0) 2 minutes ago`, `Created`,
 * `Restarting (1) 5 seconds ago`, `Removal In Progress`, `Dead`.
 *
 * A container whose start failed (it never ran) reads `Created`, as in Docker.
 *
 * @example
 * ```ts
 * formatContainerStatus({ status: 'exited', exitCode: 0, startedAt, finishedAt, now });
 * // 'Exited (0) 2 minutes ago'
 * ```
 */
export function formatContainerStatus(spec: ContainerStatusSpec): string {
  parseInput(ContainerStatusSpecSchema, spec, 'spec');
  const now = (spec.now ?? new Date()).getTime();
  const since = (d: Date | undefined): string => humanDuration(d ? now - d.getTime() : 0);
  switch (spec.status) {
    case 'paused':
      return `Up ${since(spec.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${spec.exitCode}) ${since(spec.finishedAt)} ago`;
    case 'running': {
      const up = `Up ${since(spec.startedAt)}`;
      if (spec.health === undefined) return up;
      return `${up} (${spec.health === 'starting' ? 'health: starting' : spec.health})`;
    }
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (!spec.startedAt || spec.startedAt.getTime() <= 0) return 'Created';
      if (!spec.finishedAt || spec.finishedAt.getTime() <= 0) return spec.status === 'exited' ? '' : 'Created';
      return `Exited (${spec.exitCode}) ${since(spec.finishedAt)} ago`;
  }
}

const validDate = z.date().refine((d) => !Number.isNaN(d.getTime()), 'expected a valid date');

// Checked (not trusted) because this is a public function callers may feed anything.
const ContainerStatusSpecSchema = strictObject({
  status: z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'removing']),
  exitCode: z.number().int(),
  startedAt: validDate.optional(),
  finishedAt: validDate.optional(),
  now: validDate.optional(),
  health: z.enum(['starting', 'healthy', 'unhealthy']).optional(),
});
