/**
 * Runs one probe of busy-probe-child.ts in a child process with a watchdog: a probe that
 * freezes Node's event loop freezes only the child, which is killed when its time is up.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./busy-probe-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** What a probe reported, or why it reported nothing. */
export interface ProbeOutcome {
  /** The child was killed by the watchdog (the probe froze or never finished). */
  timedOut: boolean;
  /** The probe's JSON result (empty when it printed none). */
  result: Record<string, unknown>;
  /** The child's stderr, for the failure message. */
  stderr: string;
}

/** Runs probe `name`; kills the child after `timeoutMs`. */
export function runProbe(name: string, timeoutMs = 40_000): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', child, name], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const watchdog = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('close', () => {
      clearTimeout(watchdog);
      const last = stdout.trim().split('\n').pop() ?? '';
      let result: Record<string, unknown> = {};
      try {
        result = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // No result line: the probe died or was killed; the outcome says which.
      }
      resolve({ timedOut, result, stderr: stderr.slice(-2000) });
    });
  });
}
