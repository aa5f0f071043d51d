import { describe, expect, it } from 'vitest';
import { BuildStepParser, findUnsupportedBuildFeatures, parseBuildSteps } from '../../../src/backends/docker/images/build-steps.js';

// The classic builder's output for a three-step build whose second step was cached.
const output = [
  'Step 1/3 : FROM stowage-test/busybox\n',
  ' ---> 2c32d90cdcf3\n',
  'Step 2/3 : RUN echo hi > /x\n',
  ' ---> Using cache\n',
  ' ---> 59309dc3a111\n',
  'Step 3/3 : CMD ["cat", "/x"]\n',
  ' ---> Running in 0b5c1d2e3f4a\n',
  'Removing intermediate container 0b5c1d2e3f4a\n',
  ' ---> 8d7e6f5a4b3c\n',
  'Successfully built 8d7e6f5a4b3c\n',
];

describe('build step parsing', () => {
  it('reads Step N/M headers and the Using cache markers', () => {
    expect(parseBuildSteps(output.join(''))).toEqual([
      // FROM builds nothing: cached, as every backend reports it.
      { instruction: 'FROM stowage-test/busybox', cached: true },
      { instruction: 'RUN echo hi > /x', cached: true },
      { instruction: 'CMD ["cat", "/x"]', cached: false },
    ]);
  });

  it('accepts text in arbitrary pieces and names the current step', () => {
    const parser = new BuildStepParser();
    const text = output.slice(0, 4).join('');
    for (let i = 0; i < text.length; i += 3) parser.push(text.slice(i, i + 3));
    expect(parser.current).toEqual({ index: 2, instruction: 'RUN echo hi > /x' });
    expect(parser.end().map((s) => s.cached)).toEqual([true, true]);
  });

  it('keeps the last output lines of the current step for a failure', () => {
    const parser = new BuildStepParser();
    parser.push('Step 1/2 : FROM x\n ---> 1\nStep 2/2 : RUN make\n ---> Running in 2\nerror: one\nerror: two\n');
    expect(parser.tail).toEqual(['error: one', 'error: two']);
  });

  it('does not take step output that mentions "Using cache" for the marker', () => {
    expect(parseBuildSteps('Step 1/1 : RUN echo " ---> Using cache"\n ---> Using cache now\n')).toEqual([{ instruction: 'RUN echo " ---> Using cache"', cached: false }]);
  });

  it('finds heredocs and RUN --mount, which the classic builder lacks', () => {
    const text = 'FROM busybox\nRUN --mount=type=cache,target=/c echo hi\nRUN <<EOF\necho hi\nEOF\nCOPY a b\n';
    expect(findUnsupportedBuildFeatures(text)).toEqual([
      { feature: 'RUN --mount', line: 2, keyword: 'RUN' },
      { feature: 'heredocs', line: 3, keyword: 'RUN' },
    ]);
    expect(findUnsupportedBuildFeatures('FROM busybox\nRUN ["echo", "hi"]\n')).toEqual([]);
  });
});
