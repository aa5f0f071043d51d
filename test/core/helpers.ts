/** Assertions shared by the core tests. */
import { expect } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';

/** The message of the InvalidArgumentError `fn` throws; fails when it throws nothing or another class. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}
