/**
 * Reading the tar handed to `putArchive`. A malformed archive fails in the words Engine 20.10 uses for it: its
 * extractor runs Go's archive/tar and answers `Error processing tar file(exit status 1):
 * archive/tar: invalid tar header` (a bad header, or bytes that are not a tar), `...: unexpected
 * EOF` (the bytes stop inside an entry) or `...: archive/tar: header field too long` (a PAX or
 * GNU long header over 1 MiB). Both backends throw InvalidArgumentError for these.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../../core/errors.js';
import { LayerFormatError } from '../../../fs-union/errors.js';
import { readTarEntries, type TarEntry } from '../../../fs-union/tar-entries.js';

const goErrors: Partial<Record<LayerFormatError['reason'], string>> = {
  'bad-entry': 'archive/tar: invalid tar header',
  truncated: 'unexpected EOF',
  'oversized-header': 'archive/tar: header field too long',
};

/**
 * The error `putArchive` reports for `error`: a tar format failure becomes Docker's
 * InvalidArgumentError (`details.reason` and `details.entry` kept); anything else is returned
 * as it is.
 */
export function putArchiveError(error: unknown): unknown {
  if (!(error instanceof LayerFormatError)) return error;
  const go = goErrors[error.reason];
  if (go === undefined) return error;
  return new InvalidArgumentError(`Error processing tar file(exit status 1): ${go}`, {
    details: { reason: error.reason, entry: error.entry },
    cause: error,
  });
}

/** The entries of a tar handed to `putArchive`, a malformed one failing with {@link putArchiveError}. */
export async function* putArchiveEntries(tar: Readable, signal?: AbortSignal): AsyncGenerator<TarEntry> {
  try {
    yield* readTarEntries(tar, signal ? { signal } : {});
  } catch (e) {
    throw putArchiveError(e);
  }
}
