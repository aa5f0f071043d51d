/**
 * Small helpers the conformance cases share.
 *
 * @module
 */
import type { Container } from '../core/container.js';
import type { ContainerSpec, RunSpec } from '../core/schemas/index.js';
import type { SuiteContext } from './suite-context.js';

/** Collects a container's output as `{ stdout, stderr }` strings (lines joined with `\n`). */
export async function outputOf(c: Container): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  for await (const line of c.logs()) (line.stream === 'stdout' ? out : err).push(line.text);
  return { stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Runs a container of the test image to its end; resolves with its exit code and output. */
export async function runToEnd(
  ctx: SuiteContext,
  spec: Omit<RunSpec, 'image'> & { image?: string },
): Promise<{ container: Container; exitCode: number; stdout: string; stderr: string }> {
  const container = await run(ctx, spec);
  const { exitCode } = await container.wait();
  return { container, exitCode, ...(await outputOf(container)) };
}

/** Runs a container of the test image (never pulling) and registers its removal. */
export async function run(ctx: SuiteContext, spec: Omit<RunSpec, 'image'> & { image?: string }): Promise<Container> {
  const name = spec.name ?? ctx.unique('run');
  const container = await ctx.engine.containers.run({ pull: 'never', ...spec, image: spec.image ?? ctx.image, name });
  ctx.cleanup(() => container.remove({ force: true, volumes: true }));
  return container;
}

/** Creates a container of the test image and registers its removal. */
export async function create(ctx: SuiteContext, spec: Omit<ContainerSpec, 'image'> & { image?: string }): Promise<Container> {
  const name = spec.name ?? ctx.unique('ctr');
  const container = await ctx.engine.containers.create({ ...spec, image: spec.image ?? ctx.image, name });
  ctx.cleanup(() => container.remove({ force: true, volumes: true }));
  return container;
}

/** Starts `sleep 1000` in a new container of the test image. */
export function sleeper(ctx: SuiteContext, spec: Omit<RunSpec, 'image' | 'cmd'> = {}): Promise<Container> {
  return run(ctx, { ...spec, cmd: ['sleep', '1000'] });
}

/** Asserts that `promise` rejects with a Stowage error of `code`; returns the error. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code !== code) {
      throw new Error(`expected a ${code} error, got ${e.code ?? 'no code'}: ${e.message}`, { cause: err });
    }
    return e as Error & { code: string };
  }
  throw new Error(`expected a ${code} error, but the call succeeded`);
}
