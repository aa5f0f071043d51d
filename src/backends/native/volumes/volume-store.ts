/**
 * Local volumes: `volumes/<name>/volume.json` and the data in `volumes/<name>/_data`, as
 * Docker's local driver lays them out. A volume is complete once its `volume.json` exists.
 * Creating a name that exists returns the existing volume, as Docker does.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.js';
import type { VolumeInfo } from '../../../core/schemas/index.js';
import { readJsonFile, writeJsonAtomic } from '../state/atomic-file.js';
import type { NativePaths } from '../paths.js';

const VolumeRecordSchema = z.object({
  name: z.string(),
  created: z.string(),
  labels: z.record(z.string(), z.string()),
  anonymous: z.boolean(),
});

/** The volumes of one state root. */
export class VolumeStore {
  readonly #paths: NativePaths;

  constructor(paths: NativePaths) {
    this.#paths = paths;
  }

  /** Creates the directory. */
  async init(): Promise<void> {
    await mkdir(this.#paths.volumes, { recursive: true });
  }

  /** The data directory of a volume. */
  dataDir(name: string): string {
    return join(this.#paths.volumes, name, '_data');
  }

  /** A volume, or undefined. */
  async get(name: string): Promise<VolumeInfo | undefined> {
    if (name.includes('/') || name === '.' || name === '..') return undefined;
    const record = await readJsonFile(join(this.#paths.volumes, name, 'volume.json'), VolumeRecordSchema);
    if (!record) return undefined;
    return { name: record.name, driver: 'local', mountpoint: this.dataDir(name), labels: record.labels, created: new Date(record.created), anonymous: record.anonymous };
  }

  /** A volume. @throws NotFoundError `get <name>: no such volume` */
  async require(name: string): Promise<VolumeInfo> {
    const found = await this.get(name);
    if (!found) throw new NotFoundError(`get ${name}: no such volume`, { details: { name } });
    return found;
  }

  /**
   * Creates a volume (anonymous when `name` is absent); an existing name is returned as it
   * is, with `fresh` false. The caller holds the engine lock.
   */
  async create(spec: { name?: string; labels?: Record<string, string> }): Promise<{ volume: VolumeInfo; fresh: boolean }> {
    const name = spec.name ?? randomBytes(32).toString('hex');
    const existing = await this.get(name);
    if (existing) return { volume: existing, fresh: false };
    await mkdir(this.dataDir(name), { recursive: true, mode: 0o755 });
    await writeJsonAtomic(join(this.#paths.volumes, name, 'volume.json'), {
      name, created: new Date().toISOString(), labels: spec.labels ?? {}, anonymous: spec.name === undefined,
    });
    return { volume: (await this.get(name))!, fresh: true };
  }

  /** Every volume. */
  async list(): Promise<VolumeInfo[]> {
    const out: VolumeInfo[] = [];
    for (const name of await readdir(this.#paths.volumes).catch(() => [] as string[])) {
      const v = await this.get(name).catch(() => undefined);
      if (v) out.push(v);
    }
    return out;
  }

  /** Deletes a volume and its data (the caller checked it is unused, under the engine lock). */
  async delete(name: string): Promise<void> {
    const dir = join(this.#paths.volumes, name);
    await rm(join(dir, 'volume.json'), { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
