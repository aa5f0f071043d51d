/**
 * Disposal rules shared by the resource handles.
 *
 * A handle removes its resource on `Symbol.asyncDispose` only when this engine instance
 * created it (`create`, `run`, `build`, `commit`, `import`, `pull`); handles from `get`/`list`
 * dispose as a no-op. Disposing twice is safe.
 *
 * @module
 */

/** Tracks whether a handle owns its resource and whether it was disposed already. */
export class Ownership {
  #owned: boolean;
  #disposed = false;

  constructor(owned: boolean) {
    this.#owned = owned;
  }

  /** Whether the engine instance created the resource. */
  get owned(): boolean {
    return this.#owned;
  }

  /**
   * Runs `remove` once, if the resource is owned; later calls do nothing. A resource that is
   * already gone counts as removed.
   */
  async dispose(remove: () => Promise<unknown>): Promise<void> {
    if (this.#disposed || !this.#owned) return;
    this.#disposed = true;
    try {
      await remove();
    } catch (err) {
      if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
    }
  }
}

/** Strips Docker's leading slash from a name (`/web1` -> `web1`). */
export function bareName(ref: string): string {
  return ref.startsWith('/') ? ref.slice(1) : ref;
}
