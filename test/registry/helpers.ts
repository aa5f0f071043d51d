import type { Readable } from 'node:stream';
import { afterEach } from 'vitest';
import { RegistryClient, type BlobSink, type IncomingBlob, type RegistryClientOptions } from '../../src/registry/index.js';
import { FakeRegistry, type FakeAuth } from './fake-registry.js';

/** A sink that keeps blobs in a map and commits only on a clean end, as the contract asks. */
export function memorySink(): BlobSink & { blobs: Map<string, Buffer>; writes: IncomingBlob[] } {
  const blobs = new Map<string, Buffer>();
  const writes: IncomingBlob[] = [];
  return {
    blobs,
    writes,
    has: async (digest) => blobs.has(digest),
    write: async (blob: IncomingBlob, body: Readable) => {
      writes.push(blob);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      blobs.set(blob.digest, Buffer.concat(chunks));
    },
  };
}

/** Registries and clients made by a test, closed after it. */
export function useRegistries(): {
  registry: (auth?: FakeAuth) => Promise<FakeRegistry>;
  client: (options?: RegistryClientOptions) => RegistryClient;
} {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  return {
    registry: async (auth) => {
      const reg = await new FakeRegistry(auth).start();
      open.push(reg);
      return reg;
    },
    client: (options = {}) => {
      // Never the developer's own ~/.docker/config.json.
      const c = new RegistryClient({ dockerConfig: false, ...options });
      open.push(c);
      return c;
    },
  };
}
