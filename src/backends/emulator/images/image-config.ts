/**
 * The Docker/OCI image config JSON: written for the emulator's images and read back from
 * loaded archives.
 *
 * The bytes matter: an image's ID is the sha256 of them, so they are produced by one function
 * with a fixed key order, and a saved image carries exactly these bytes (a real `docker load`
 * computes the same ID).
 *
 * @module
 */
import { InvalidArgumentError } from '../../../core/errors.js';
import type { HealthcheckConfig } from '../../../core/dockerfile/changes.js';
import type { ImageConfig } from '../../../core/schemas/image.js';
import { sha256Digest } from '../../../fs-union/digest.js';

/** One `history` row of an image config, in our own field names. */
export interface ImageHistorySpec {
  /** When the step ran. */
  created: Date;
  /** The instruction (`/bin/sh -c #(nop)  CMD ["sh"]`), empty for imports. */
  createdBy: string;
  /** Commit message or `Imported from -`. */
  comment: string;
  /** Author of the step. */
  author: string;
  /** True when the step changed only the config (no layer of its own). */
  emptyLayer: boolean;
}

/** Config fields only builds use: kept in the config JSON (`OnBuild`, `Healthcheck`, `Shell`). */
export interface BuildConfigExtras {
  /** ONBUILD triggers. */
  onBuild?: string[];
  /** HEALTHCHECK, durations in nanoseconds. */
  healthcheck?: HealthcheckConfig;
  /** SHELL. */
  shell?: string[];
}

/** What an image config is made from. */
export interface ImageConfigSpec {
  /** Build-only config fields. */
  extras?: BuildConfigExtras;
  /** The runnable config. */
  config: ImageConfig;
  /** When the image was created. */
  created: Date;
  /** Image author (top-level `author`). */
  author: string;
  /** Top-level comment (a commit message), empty for none. */
  comment?: string;
  /** Every layer's diffID, bottom first. */
  diffIds: readonly string[];
  /** Every step, oldest first (one non-empty entry per layer). */
  history: readonly ImageHistorySpec[];
  /** CPU architecture in Go's spelling (default: this host's). */
  architecture?: string;
  /** Operating system (default `linux`). */
  os?: string;
}

/** A parsed image config: what the emulator needs to run and describe an image. */
export interface ParsedImageConfigInfo {
  /** The runnable config. */
  config: ImageConfig;
  /** When the image was created (the epoch when absent). */
  created: Date;
  /** Top-level author. */
  author: string;
  /** Top-level comment. */
  comment: string;
  /** CPU architecture. */
  architecture: string;
  /** Operating system. */
  os: string;
  /** Layer diffIDs, bottom first. */
  diffIds: string[];
  /** Steps, oldest first. */
  history: ImageHistorySpec[];
  /** Build-only config fields that were set. */
  extras: BuildConfigExtras;
}

/** The empty runnable config (what `docker import` starts from). */
export function emptyImageConfig(): ImageConfig {
  return {
    env: [],
    cmd: null,
    entrypoint: null,
    workingDir: '',
    user: '',
    exposedPorts: [],
    volumes: [],
    labels: {},
    stopSignal: '',
  };
}

/** This host's architecture as Go (and so Docker) spells it. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le' };
  return map[process.arch] ?? process.arch;
}

/** RFC 3339 as Go marshals a UTC time (no trailing zero fraction). */
function rfc3339(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** Docker's set-as-object encoding (`{"80/tcp":{}}`). */
function setObject(keys: readonly string[]): Record<string, Record<string, never>> {
  const out: Record<string, Record<string, never>> = {};
  for (const k of keys) out[k] = {};
  return out;
}

/**
 * Serialises an image config the way the Engine writes one (`config` fields in Docker's
 * names, empty ones left out), so a saved image is an ordinary image to any tool.
 */
export function encodeImageConfig(spec: ImageConfigSpec): Buffer {
  const c = spec.config;
  const config: Record<string, unknown> = {};
  if (c.user !== '') config['User'] = c.user;
  if (c.exposedPorts.length > 0) config['ExposedPorts'] = setObject(c.exposedPorts);
  if (c.env.length > 0) config['Env'] = c.env;
  if (c.entrypoint !== null) config['Entrypoint'] = c.entrypoint;
  if (c.cmd !== null) config['Cmd'] = c.cmd;
  if (c.volumes.length > 0) config['Volumes'] = setObject(c.volumes);
  if (c.workingDir !== '') config['WorkingDir'] = c.workingDir;
  if (Object.keys(c.labels).length > 0) config['Labels'] = c.labels;
  if (c.stopSignal !== '') config['StopSignal'] = c.stopSignal;
  const extras = spec.extras ?? {};
  if (extras.onBuild && extras.onBuild.length > 0) config['OnBuild'] = extras.onBuild;
  if (extras.shell) config['Shell'] = extras.shell;
  if (extras.healthcheck) {
    const h = extras.healthcheck;
    config['Healthcheck'] = {
      Test: h.test,
      ...(h.interval ? { Interval: h.interval } : {}),
      ...(h.timeout ? { Timeout: h.timeout } : {}),
      ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
      ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
      ...(h.retries ? { Retries: h.retries } : {}),
    };
  }
  const doc: Record<string, unknown> = {
    architecture: spec.architecture ?? hostArchitecture(),
    ...(spec.author !== '' ? { author: spec.author } : {}),
    ...(spec.comment ? { comment: spec.comment } : {}),
    config,
    created: rfc3339(spec.created),
    history: spec.history.map((h) => ({
      created: rfc3339(h.created),
      ...(h.author !== '' ? { author: h.author } : {}),
      ...(h.createdBy !== '' ? { created_by: h.createdBy } : {}),
      ...(h.comment !== '' ? { comment: h.comment } : {}),
      ...(h.emptyLayer ? { empty_layer: true } : {}),
    })),
    os: spec.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: [...spec.diffIds] },
  };
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

/** The image ID of some config bytes. */
export function imageIdOf(configBytes: Uint8Array): string {
  return sha256Digest(configBytes);
}

function stringArray(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((v): v is string => typeof v === 'string');
}

function objectKeys(value: unknown): string[] {
  return value !== null && typeof value === 'object' ? Object.keys(value) : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function date(value: unknown): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(0);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
}

/**
 * Parses config bytes from an archive (ours, Docker's or another tool's).
 *
 * @throws InvalidArgumentError when the bytes are not an image config
 */
export function decodeImageConfig(bytes: Uint8Array): ParsedImageConfigInfo {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError('invalid image config: not JSON', { cause: e });
  }
  if (doc === null || typeof doc !== 'object') throw new InvalidArgumentError('invalid image config: not an object');
  const rootfs = (doc['rootfs'] ?? {}) as Record<string, unknown>;
  const diffIds = stringArray(rootfs['diff_ids']) ?? [];
  const c = (doc['config'] ?? {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  if (c['Labels'] !== null && typeof c['Labels'] === 'object') {
    for (const [k, v] of Object.entries(c['Labels'] as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
  }
  const history = Array.isArray(doc['history']) ? (doc['history'] as Record<string, unknown>[]) : [];
  return {
    config: {
      env: stringArray(c['Env']) ?? [],
      cmd: stringArray(c['Cmd']),
      entrypoint: stringArray(c['Entrypoint']),
      workingDir: str(c['WorkingDir']),
      user: str(c['User']),
      exposedPorts: objectKeys(c['ExposedPorts']),
      volumes: objectKeys(c['Volumes']),
      labels,
      stopSignal: str(c['StopSignal']),
    },
    created: date(doc['created']),
    author: str(doc['author']),
    comment: str(doc['comment']),
    architecture: str(doc['architecture']),
    os: str(doc['os']),
    diffIds,
    history: history.map((h) => ({
      created: date(h['created']),
      createdBy: str(h['created_by']),
      comment: str(h['comment']),
      author: str(h['author']),
      emptyLayer: h['empty_layer'] === true,
    })),
    extras: extrasOf(c),
  };
}

function extrasOf(c: Record<string, unknown>): BuildConfigExtras {
  const extras: BuildConfigExtras = {};
  const onBuild = stringArray(c['OnBuild']);
  if (onBuild && onBuild.length > 0) extras.onBuild = onBuild;
  const shell = stringArray(c['Shell']);
  if (shell) extras.shell = shell;
  const h = c['Healthcheck'] as Record<string, unknown> | undefined;
  const test = h ? stringArray(h['Test']) : null;
  if (h && test) {
    const num = (v: unknown): number | undefined => (typeof v === 'number' && v !== 0 ? v : undefined);
    const hc: HealthcheckConfig = { test };
    for (const [key, field] of [['interval', 'Interval'], ['timeout', 'Timeout'], ['startPeriod', 'StartPeriod'], ['startInterval', 'StartInterval'], ['retries', 'Retries']] as const) {
      const v = num(h[field]);
      if (v !== undefined) hc[key] = v;
    }
    extras.healthcheck = hc;
  }
  return extras;
}
