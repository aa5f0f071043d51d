/**
 * Named points where a test can make this process die as abruptly as a power cut would take
 * it (SIGKILL: no cleanup, no finally), to show that recovery at the next open copes with
 * whatever was half-done there. Inert unless `STOWAGE_NATIVE_CRASH_AT` names the point, which
 * only the crash tests set, in child processes they start for that purpose.
 *
 * @module
 */

/** The crash points, where they are. */
export type CrashPoint =
  | 'create:after-name'
  | 'create:after-init-layer'
  | 'import:after-blob'
  | 'layer:after-extract'
  | 'commit:after-blob'
  | 'start:after-runc'
  | 'remove:after-unmount';

/** Dies here when the environment names this point. */
export function crashPoint(point: CrashPoint): void {
  if (process.env.STOWAGE_NATIVE_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
