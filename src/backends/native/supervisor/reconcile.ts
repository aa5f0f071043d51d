/**
 * What a supervisor (or an SDK opening a root no supervisor serves) does about containers the
 * state files call running but no live supervisor watches: their exit can no longer be
 * captured, so they are killed through runc and recorded as exited with 255 (unknown), as
 * Docker records containers whose monitor is gone. runc states that belong to no container are
 * deleted too.
 *
 * @module
 */
import type { NativeContext } from '../context.js';

/** Reconciles container states with runc (under the engine lock). */
export async function reconcileContainers(ctx: NativeContext): Promise<string[]> {
  return ctx.locked(async () => {
    const fixed: string[] = [];
    const known = new Set<string>();
    for (const { record, state } of await ctx.containers.all()) {
      known.add(record.id);
      if (state.status !== 'running' && state.status !== 'paused' && state.status !== 'restarting') continue;
      await ctx.runc.deleteForce(record.id);
      await ctx.containers.putState(record.id, { ...state, status: 'exited', exitCode: 255, finishedAt: new Date().toISOString(), pid: undefined });
      await ctx.events.append({ type: 'container', action: 'die', id: record.id, name: record.name, attributes: { exitCode: '255', name: record.name } });
      fixed.push(record.id);
    }
    for (const id of await ctx.runc.list()) {
      if (!known.has(id)) {
        await ctx.runc.deleteForce(id);
        fixed.push(id);
      }
    }
    return fixed;
  });
}
