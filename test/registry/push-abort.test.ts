/**
 * A push aborted while the emulator is still compressing layers rejects with AbortError and
 * leaves nothing behind that fails later (it used to: the compression pipeline re-emitted the
 * abort as an uncaught exception, which takes a user's process down).
 */
import { afterAll, expect, it } from 'vitest';
import { StowageError } from '../../src/core/errors.js';
import { Engine } from '../../src/index.js';
import { seedTestImage } from '../../src/testing/describe-backend.js';

const engine = await Engine.open({ backend: 'emulator' });
afterAll(() => engine.close());

it('aborting a push at any moment rejects it with a Stowage error, and nothing escapes', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    await seedTestImage(engine);
    await (await engine.images.get('stowage-test/busybox')).tag('127.0.0.1:1/push-abort:t');
    const image = await engine.images.get('127.0.0.1:1/push-abort:t');
    const outcomes: string[] = [];
    for (const ms of [0, 1, 5, 20, 50, 100, 200]) {
      const error = await image.push({ signal: AbortSignal.timeout(ms) }).then(() => undefined, (e: unknown) => e);
      // Nothing listens on 127.0.0.1:1: the push fails either way, aborted or refused.
      expect(error).toBeInstanceOf(StowageError);
      outcomes.push((error as StowageError).name);
    }
    expect(outcomes).toContain('AbortError');
    // Whatever a destroyed stream would emit late has been emitted by the time the engine's
    // next push is done.
    await image.push({ signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    expect(uncaught).toEqual([]);
    await image.remove();
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
