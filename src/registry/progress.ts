/**
 * Progress reports in Docker's vocabulary (`Pulling fs layer`, `Downloading`, `Pull complete`,
 * `Pushing`, `Layer already exists`...), per blob with byte counts, plus the operation's total
 * bytes as reports without an `id`. Byte reports are thinned to about one per percent (and the
 * last one), so a UI is not flooded with a report per network chunk.
 *
 * @module
 */
import type { ProgressEvent } from '../core/schemas/image.js';

/** Receives progress reports. */
export type ProgressListener = (event: ProgressEvent) => void;

/** The short ID Docker shows for a blob (12 hex characters). */
export function shortId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

/** Reports for one pull or push. */
export class ProgressReporter {
  readonly #listener: ProgressListener | undefined;
  readonly #status: string;
  #total = 0;
  #done = 0;
  #lastTotalReport = -1;

  /**
   * @param listener where reports go (none: reports are dropped)
   * @param status the byte-count status (`Downloading`, `Pushing`)
   */
  constructor(listener: ProgressListener | undefined, status: string) {
    this.#listener = listener;
    this.#status = status;
  }

  /** Sends one report; a throwing listener never breaks the transfer. */
  emit(event: ProgressEvent): void {
    if (!this.#listener) return;
    try {
      this.#listener(event);
    } catch {
      // Listeners observe; their failures are theirs.
    }
  }

  /** Adds bytes to the expected total. */
  expect(bytes: number): void {
    this.#total += bytes;
  }

  /** A byte counter for one blob: call it with each chunk's size. */
  counter(id: string, total: number): (n: number) => void {
    let current = 0;
    let last = -1;
    const step = Math.max(1, Math.floor(total / 100));
    return (n: number) => {
      current += n;
      this.#done += n;
      if (current - last >= step || current === total) {
        last = current;
        this.emit({ id, status: this.#status, current, total });
      }
      const totalStep = Math.max(1, Math.floor(this.#total / 100));
      if (this.#done - this.#lastTotalReport >= totalStep || this.#done === this.#total) {
        this.#lastTotalReport = this.#done;
        this.emit({ status: this.#status, current: this.#done, total: this.#total });
      }
    };
  }
}
