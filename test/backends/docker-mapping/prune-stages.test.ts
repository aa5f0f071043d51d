import { describe, expect, it } from 'vitest';
import { pruneDockerfile } from '../../../src/backends/docker/images/prune-stages.js';

describe('pruneDockerfile (stages the classic builder must not build)', () => {
  const text = [
    'ARG BASE=stowage-test/busybox',
    'FROM $BASE AS unused',
    'RUN exit 3',
    'FROM $BASE',
    'RUN echo one > /one',
    'FROM $BASE AS final',
    'COPY --from=1 /one /one',
    'COPY --from=unused /x /x',
    '',
  ].join('\n');

  it('cuts stages the target does not need and renumbers --from indexes', () => {
    const pruned = pruneDockerfile(text.replace('COPY --from=unused /x /x\n', ''), undefined, {});
    expect(pruned).toBe(['ARG BASE=stowage-test/busybox', 'FROM $BASE', 'RUN echo one > /one', 'FROM $BASE AS final', 'COPY --from=0 /one /one', ''].join('\n'));
  });

  it('keeps a stage some COPY --from names, and stops at the target', () => {
    expect(pruneDockerfile(text, undefined, {})).toBeUndefined();
    expect(pruneDockerfile(text, 'unused', {})).toBeUndefined();
    const first = pruneDockerfile('FROM a AS x\nRUN x\nFROM b AS y\nRUN y\nFROM x\n', 'y', {});
    expect(first).toBe('FROM b AS y\nRUN y');
  });

  it('leaves a single stage or an unparsable file alone', () => {
    expect(pruneDockerfile('FROM a\nRUN x\n', undefined, {})).toBeUndefined();
    expect(pruneDockerfile('RUN x\n', undefined, {})).toBeUndefined();
  });
});
