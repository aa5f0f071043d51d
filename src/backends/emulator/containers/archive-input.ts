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
import { engineTarError } from '../../../fs-union/errors.js';
import { readTarEntries, type TarEntry } from '../../../fs-union/tar-entries.js';

/**
 * The error `putArchive` reports for `error`: a tar format failure becomes Docker's
 * InvalidArgumentError (`details.reason` and `details.entry` kept); anything else is returned
 * as it is.
 */
export const putArchiveError: (error: unknown) => unknown = engineTarError;

/** The entries of a tar handed to `putArchive`, a malformed one failing with {@link putArchiveError}. */
export async function* putArchiveEntries(tar: Readable, signal?: AbortSignal): AsyncGenerator<TarEntry> {
  try {
    yield* readTarEntries(tar, signal ? { signal } : {});
  } catch (e) {
    throw putArchiveError(e);
  }
}
