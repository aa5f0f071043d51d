import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, 'fixtures');

/** Reads a JSON answer recorded from Docker Engine 20.10.24 (API 1.41). */
export function recorded<T>(name: string): T {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as T;
}

/** Reads recorded raw bytes. */
export function recordedBytes(name: string): Buffer {
  return readFileSync(join(dir, name));
}
