/**
 * What a supervisor (or an SDK opening a root no supervisor serves) does about containers no
 * live supervisor watches. Every container runc knows under the root was started by a
 * supervisor that is gone (a supervisor reconciles before it starts anything), so nobody can
 * capture its exit any more: it is killed and forgotten by runc, and recorded as exited with
 * 255 (unknown) when its state said it ran, as Docker records containers whose monitor died.
 * One that died before its state said so (the supervisor was killed mid-start) stays
 * `created`.
 *
 * @module
 */
import type { NativeContext } from '../context.js';

/** Reconciles container states with runc (under the engine lock). */
export async function reconcileContainers(ctx: NativeContext): Promise<string[]> {
  return ctx.locked(async () => {
    const fixed: string[] = [];
    for (const id of await ctx.runc.list()) {
      await ctx.runc.deleteForce(id);
      fixed.push(id);
    }
    for (const { record, state } of await ctx.containers.all()) {
      if (state.status !== 'running' && state.status !== 'paused' && state.status !== 'restarting') continue;
      await ctx.containers.putState(record.id, { ...state, status: 'exited', exitCode: 255, finishedAt: new Date().toISOString(), pid: undefined });
      await ctx.events.append({ type: 'container', action: 'die', id: record.id, name: record.name, attributes: { exitCode: '255', name: record.name } });
      if (!fixed.includes(record.id)) fixed.push(record.id);
    }
    return fixed;
  });
}
