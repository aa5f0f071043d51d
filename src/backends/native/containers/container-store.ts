/**
 * Container records on disk: `containers/<id>/` with `container.json` and `state.json`, and
 * the name index `names/<name>` (a symlink to the ID). A name is taken by creating its link,
 * which fails atomically when it exists, so two processes can never both hold one name; the
 * engine lock around create/rename/remove keeps the link and the record in step.
 *
 * References resolve as Docker's do: a full ID, then a name (a leading `/` allowed), then a
 * unique ID prefix.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import { readJsonFile, syncDirectory, writeJsonAtomic } from '../state/atomic-file.js';
import type { NativePaths } from '../paths.js';
import { ContainerRecordSchema, ContainerStateSchema, type ContainerRecord, type ContainerState } from './record.js';

/** A container's record and state together. */
export interface StoredContainer {
  /** Creation record. */
  record: ContainerRecord;
  /** Run state. */
  state: ContainerState;
}

/** The containers of one state root. */
export class ContainerStore {
  readonly #paths: NativePaths;

  constructor(paths: NativePaths) {
    this.#paths = paths;
  }

  /** Creates the directories. */
  async init(): Promise<void> {
    await mkdir(this.#paths.containers, { recursive: true });
    await mkdir(this.#paths.names, { recursive: true });
  }

  /** Paths inside a container's directory. */
  dir(id: string): { base: string; record: string; state: string; init: string; upper: string; work: string; merged: string; log: string } {
    const base = this.#paths.container(id);
    return {
      base,
      record: join(base, 'container.json'),
      state: join(base, 'state.json'),
      init: join(base, 'init'),
      upper: join(base, 'upper'),
      work: join(base, 'work'),
      merged: join(base, 'merged'),
      log: join(base, `${id}-json.log`),
    };
  }

  /** Whether a name is taken right now (for generating names). */
  nameTaken(name: string): boolean {
    return existsSync(join(this.#paths.names, name));
  }

  /** Takes `name` for `id`. @throws ConflictError with Docker's text when it is taken */
  async reserveName(name: string, id: string): Promise<void> {
    const link = join(this.#paths.names, name);
    try {
      await symlink(id, link);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readlink(link).catch(() => '');
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
        { details: { name, container: holder } },
      );
    }
    await syncDirectory(this.#paths.names);
  }

  /** Gives a name up (only when it still points at `id`). */
  async releaseName(name: string, id: string): Promise<void> {
    const link = join(this.#paths.names, name);
    if ((await readlink(link).catch(() => undefined)) === id) await rm(link, { force: true });
  }

  /** Writes the creation record. */
  async putRecord(record: ContainerRecord): Promise<void> {
    await writeJsonAtomic(this.dir(record.id).record, record);
  }

  /** Writes the run state (`syncDirectory: false` when a later write to the directory follows). */
  async putState(id: string, state: ContainerState, options: { syncDirectory?: boolean } = {}): Promise<void> {
    await writeJsonAtomic(this.dir(id).state, state, options);
  }

  /** Reads a container; undefined when it does not exist (or is half-created). */
  async read(id: string): Promise<StoredContainer | undefined> {
    const paths = this.dir(id);
    const record = await readJsonFile(paths.record, ContainerRecordSchema);
    if (!record) return undefined;
    const state = (await readJsonFile(paths.state, ContainerStateSchema)) ?? { status: 'created' as const, exitCode: 0 };
    return { record, state };
  }

  /** Every container ID with a directory (complete or not). */
  async ids(): Promise<string[]> {
    return (await readdir(this.#paths.containers).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}$/.test(n));
  }

  /** Every complete container. */
  async all(): Promise<StoredContainer[]> {
    const out: StoredContainer[] = [];
    for (const id of await this.ids()) {
      const found = await this.read(id).catch(() => undefined);
      if (found) out.push(found);
    }
    return out;
  }

  /**
   * The ID a reference names.
   * @throws NotFoundError `No such container: <ref>`; InvalidArgumentError for an ambiguous prefix
   */
  async resolve(ref: string): Promise<string> {
    const bare = ref.startsWith('/') ? ref.slice(1) : ref;
    if (/^[0-9a-f]{64}$/.test(bare) && existsSync(this.dir(bare).record)) return bare;
    if (bare !== '' && !bare.includes('/')) {
      const id = await readlink(join(this.#paths.names, bare)).catch(() => undefined);
      if (id !== undefined && existsSync(this.dir(id).record)) return id;
    }
    if (/^[0-9a-f]+$/.test(bare)) {
      const matches = (await this.ids()).filter((id) => id.startsWith(bare) && existsSync(this.dir(id).record));
      if (matches.length > 1) {
        throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${bare}`, { details: { prefix: bare } });
      }
      if (matches.length === 1) return matches[0]!;
    }
    throw new NotFoundError(`No such container: ${ref}`, { details: { ref } });
  }

  /** {@link resolve} then {@link read}. */
  async get(ref: string): Promise<StoredContainer> {
    const id = await this.resolve(ref);
    const found = await this.read(id);
    if (!found) throw new NotFoundError(`No such container: ${ref}`, { details: { ref } });
    return found;
  }

  /**
   * Deletes a container's files and name (its mounts must be gone). The record goes first, so
   * a crash midway leaves a directory that recovery recognises as half-removed.
   */
  async delete(id: string, name: string): Promise<void> {
    const paths = this.dir(id);
    await rm(paths.record, { force: true });
    await this.releaseName(name, id);
    await rm(paths.base, { recursive: true, force: true });
    await rm(this.#paths.runContainer(id), { recursive: true, force: true });
  }
}
