/**
 * The image config JSON of the native image store: written for imports and commits, read back
 * for every image (loaded ones included). The bytes are the image's identity (its ID is their
 * sha256), so one function writes them with a fixed key order; a loaded image keeps the exact
 * bytes it came with.
 *
 * Field names follow Docker's config (`Env`, `Cmd`, ...), which is also what the OCI image spec
 * defines, so a saved image loads into Docker and any OCI tool.
 *
 * (The shared engine semantics moving to src/local-engine will carry one image-config module
 * for every self-hosted backend; this one then gives way to it.)
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../../../core/errors.js';
import type { ChangeableConfig, HealthcheckConfig } from '../../../core/dockerfile/changes.js';

/** One step of an image's history, oldest first in the config. */
export interface HistoryStep {
  /** When the step ran. */
  created: Date;
  /** The instruction that made it (`/bin/sh -c #(nop)  CMD ["sh"]`); empty for imports and commits. */
  createdBy: string;
  /** Commit or import message. */
  comment: string;
  /** Author. */
  author: string;
  /** The step has no layer. */
  emptyLayer: boolean;
}

/** The runnable config with what builds add (`SHELL`). */
export interface StoredRunnableConfig extends ChangeableConfig {
  /** The shell for shell forms, when not `["/bin/sh", "-c"]` (Dockerfile `SHELL`). */
  shell?: string[];
}

/** An image config, parsed. */
export interface ParsedImageConfig {
  /** The runnable config (with the fields changes and builds can set). */
  config: StoredRunnableConfig;
  /** Creation time (the epoch when absent). */
  created: Date;
  /** Top-level author. */
  author: string;
  /** Top-level comment. */
  comment: string;
  /** Go's architecture name. */
  architecture: string;
  /** Operating system. */
  os: string;
  /** Layer diffIDs, bottom first. */
  diffIds: string[];
  /** Steps, oldest first. */
  history: HistoryStep[];
}

/** The empty runnable config (what `docker import` starts from). */
export function emptyConfig(): ChangeableConfig {
  return { env: [], cmd: null, entrypoint: null, workingDir: '', user: '', exposedPorts: [], volumes: [], labels: {} };
}

/** This host's architecture as Go (and so image configs) spell it. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  return map[process.arch] ?? process.arch;
}

/** Go's RFC 3339 with nanoseconds, as Docker writes times (`2024-01-01T00:00:00.123Z`). */
function time(date: Date): string {
  return date.toISOString();
}

function healthcheckJson(h: HealthcheckConfig): Record<string, unknown> {
  return {
    Test: h.test,
    ...(h.interval ? { Interval: h.interval } : {}),
    ...(h.timeout ? { Timeout: h.timeout } : {}),
    ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
    ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}

/** The `config` object of the JSON. */
function runnableJson(c: StoredRunnableConfig): Record<string, unknown> {
  const set = (list: readonly string[]) => (list.length ? Object.fromEntries(list.map((k) => [k, {}])) : undefined);
  const out: Record<string, unknown> = {
    User: c.user,
    ExposedPorts: set(c.exposedPorts),
    Env: c.env.length ? c.env : undefined,
    Entrypoint: c.entrypoint,
    Cmd: c.cmd,
    Healthcheck: c.healthcheck ? healthcheckJson(c.healthcheck) : undefined,
    Volumes: set(c.volumes),
    WorkingDir: c.workingDir,
    Labels: Object.keys(c.labels).length ? c.labels : undefined,
    OnBuild: c.onBuild?.length ? c.onBuild : undefined,
    StopSignal: c.stopSignal || undefined,
    Shell: c.shell?.length ? c.shell : undefined,
  };
  // Absent fields are left out, as Go's omitempty does; null Cmd/Entrypoint are kept.
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== ''));
}

/** What {@link encodeImageConfig} writes. */
export interface ImageConfigSpec extends Omit<ParsedImageConfig, 'architecture' | 'os'> {
  /** Go architecture (default: this host's). */
  architecture?: string;
  /** OS (default `linux`). */
  os?: string;
}

/** The config JSON bytes of an image. */
export function encodeImageConfig(spec: ImageConfigSpec): Buffer {
  const value = {
    architecture: spec.architecture ?? hostArchitecture(),
    ...(spec.author ? { author: spec.author } : {}),
    ...(spec.comment ? { comment: spec.comment } : {}),
    config: runnableJson(spec.config),
    created: time(spec.created),
    history: spec.history.map((h) => ({
      created: time(h.created),
      ...(h.author ? { author: h.author } : {}),
      ...(h.createdBy ? { created_by: h.createdBy } : {}),
      ...(h.comment ? { comment: h.comment } : {}),
      ...(h.emptyLayer ? { empty_layer: true } : {}),
    })),
    os: spec.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: spec.diffIds },
  };
  return Buffer.from(JSON.stringify(value));
}

const StringList = z.array(z.string()).nullish();
const KeySet = z.record(z.string(), z.unknown()).nullish();

/** The parts of an image config we read; everything else is kept in the bytes untouched. */
const ConfigJsonSchema = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  created: z.string().optional(),
  config: z.object({
    User: z.string().optional(),
    ExposedPorts: KeySet,
    Env: StringList,
    Entrypoint: StringList,
    Cmd: StringList,
    Volumes: KeySet,
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
    OnBuild: StringList,
    StopSignal: z.string().optional(),
    Shell: StringList,
    Healthcheck: z.object({
      Test: StringList,
      Interval: z.number().optional(),
      Timeout: z.number().optional(),
      StartPeriod: z.number().optional(),
      StartInterval: z.number().optional(),
      Retries: z.number().optional(),
    }).nullish(),
  }).nullish(),
  history: z.array(z.object({
    created: z.string().optional(),
    created_by: z.string().optional(),
    comment: z.string().optional(),
    author: z.string().optional(),
    empty_layer: z.boolean().optional(),
  })).nullish(),
  rootfs: z.object({ type: z.string().optional(), diff_ids: z.array(z.string()).nullish() }),
});

function date(value: string | undefined): Date {
  const d = value ? new Date(value) : new Date(0);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
}

/** Parses config JSON bytes. @throws InvalidArgumentError when they are not an image config */
export function decodeImageConfig(bytes: Uint8Array): ParsedImageConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new InvalidArgumentError('image config is not JSON', { cause: error });
  }
  const parsed = ConfigJsonSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidArgumentError('not an image config', { cause: parsed.error });
  const j = parsed.data;
  const c = j.config ?? {};
  const config: StoredRunnableConfig = {
    env: c.Env ?? [],
    cmd: c.Cmd ?? null,
    entrypoint: c.Entrypoint ?? null,
    workingDir: c.WorkingDir ?? '',
    user: c.User ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    volumes: Object.keys(c.Volumes ?? {}),
    labels: c.Labels ?? {},
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
    ...(c.OnBuild?.length ? { onBuild: c.OnBuild } : {}),
    ...(c.Shell?.length ? { shell: c.Shell } : {}),
    ...(c.Healthcheck?.Test ? {
      healthcheck: {
        test: c.Healthcheck.Test,
        ...(c.Healthcheck.Interval ? { interval: c.Healthcheck.Interval } : {}),
        ...(c.Healthcheck.Timeout ? { timeout: c.Healthcheck.Timeout } : {}),
        ...(c.Healthcheck.StartPeriod ? { startPeriod: c.Healthcheck.StartPeriod } : {}),
        ...(c.Healthcheck.StartInterval ? { startInterval: c.Healthcheck.StartInterval } : {}),
        ...(c.Healthcheck.Retries ? { retries: c.Healthcheck.Retries } : {}),
      },
    } : {}),
  };
  return {
    config,
    created: date(j.created),
    author: j.author ?? '',
    comment: j.comment ?? '',
    architecture: j.architecture ?? '',
    os: j.os ?? '',
    diffIds: j.rootfs.diff_ids ?? [],
    history: (j.history ?? []).map((h) => ({
      created: date(h.created),
      createdBy: h.created_by ?? '',
      comment: h.comment ?? '',
      author: h.author ?? '',
      emptyLayer: h.empty_layer ?? false,
    })),
  };
}
