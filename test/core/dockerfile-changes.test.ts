import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { applyChanges, isValidSignal, parseGoDuration } from '../../src/core/dockerfile/index.js';
import type { ChangeableConfig } from '../../src/core/dockerfile/index.js';

const base = (): ChangeableConfig => ({
  env: ['PATH=/usr/bin:/bin'], cmd: ['sh'], entrypoint: null, workingDir: '', user: '',
  exposedPorts: [], volumes: [], labels: {},
});

function messageOf(changes: string[]): string {
  try {
    applyChanges(base(), changes);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  return 'no error';
}

describe('applyChanges', () => {
  it('applies the tutorial change and leaves the input alone', () => {
    const input = base();
    const out = applyChanges(input, ['CMD ["/bin/bash"]']);
    expect(out.cmd).toEqual(['/bin/bash']);
    expect(input.cmd).toEqual(['sh']);
  });

  it('wraps shell forms in /bin/sh -c as Docker does', () => {
    const out = applyChanges(base(), ['CMD echo $HOME', 'ENTRYPOINT exec app']);
    expect(out.entrypoint).toEqual(['/bin/sh', '-c', 'exec app']);
    // CMD came first in the same change list, so ENTRYPOINT keeps it.
    expect(out.cmd).toEqual(['/bin/sh', '-c', 'echo $HOME']);
    expect(applyChanges(base(), ['ENTRYPOINT ["e"]']).cmd).toBeNull();
  });

  it('expands against the env as it was before each change', () => {
    const out = applyChanges(base(), ['ENV A=1 B=${A}x', 'ENV C=$A PATH=/x:$PATH', 'USER ${A}', 'LABEL "a b"=c v=$A']);
    expect(out.env).toEqual(['PATH=/x:/usr/bin:/bin', 'A=1', 'B=x', 'C=1']);
    expect(out.user).toBe('1');
    expect(out.labels).toEqual({ 'a b': 'c', v: '1' });
  });

  it('collects ports, volumes, workdir, stop signal and onbuild', () => {
    const out = applyChanges(base(), [
      'EXPOSE 80 90-91/udp 80/tcp', 'VOLUME /v ["/w"]', 'VOLUME ["/data"]', 'WORKDIR a', 'WORKDIR b/../c',
      'STOPSIGNAL SIGQUIT', 'ONBUILD run echo',
    ]);
    expect(out.exposedPorts).toEqual(['80/tcp', '90/udp', '91/udp']);
    expect(out.volumes).toEqual(['/v', '[/w]', '/data']);
    expect(out.workingDir).toBe('/a/c');
    expect(out.stopSignal).toBe('SIGQUIT');
    expect(out.onBuild).toEqual(['run echo']);
  });

  it('parses HEALTHCHECK with its flags in nanoseconds', () => {
    expect(applyChanges(base(), ['HEALTHCHECK --interval=5s --timeout=1m30s --retries=3 CMD curl -f x']).healthcheck)
      .toEqual({ test: ['CMD-SHELL', 'curl -f x'], interval: 5e9, timeout: 90e9, retries: 3 });
    expect(applyChanges(base(), ['HEALTHCHECK CMD ["true"]']).healthcheck).toEqual({ test: ['CMD', 'true'] });
    expect(applyChanges(base(), ['HEALTHCHECK NONE']).healthcheck).toEqual({ test: ['NONE'] });
  });

  it("rejects what the engine rejects, with its words", () => {
    expect(messageOf(['RUN x'])).toBe('run is not a valid change command');
    expect(messageOf(['FOO x'])).toBe('foo is not a valid change command');
    expect(messageOf(['FROM x'])).toBe('from is not a valid change command');
    expect(messageOf(['ENV A'])).toBe('ENV must have two arguments');
    expect(messageOf(['CMD --foo=1 x'])).toBe('Unknown flag: foo');
    expect(messageOf(['ONBUILD FROM x'])).toBe("FROM isn't allowed as an ONBUILD trigger");
    expect(messageOf(['HEALTHCHECK FOO x'])).toBe('Unknown type "FOO" in HEALTHCHECK (try CMD)');
    expect(messageOf(['HEALTHCHECK --interval=1us CMD x'])).toBe('Interval "interval" cannot be less than 1ms');
    expect(messageOf(['HEALTHCHECK --retries=-1 CMD x'])).toBe('--retries cannot be negative (-1)');
    expect(messageOf(['STOPSIGNAL FOO'])).toBe('Invalid signal: FOO');
    expect(messageOf(['EXPOSE abc'])).toBe('Invalid containerPort: abc');
    try {
      applyChanges(base(), ['CMD ["ok"]', 'RUN x']);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidArgumentError).details.path).toBe('changes[1]');
    }
  });
});

describe('helpers', () => {
  it('parses Go durations', () => {
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('1h2m3.5s')).toBe(3723.5e9);
    expect(parseGoDuration('300ms')).toBe(300e6);
    expect(parseGoDuration('-1.5h')).toBe(-5400e9);
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration('1x')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });

  it('knows signal names and numbers', () => {
    for (const s of ['SIGTERM', 'term', '9', 'SIGRTMIN+3', 'usr1']) expect(isValidSignal(s), s).toBe(true);
    for (const s of ['FOO', '0', '65', 'SIGRTMIN+99']) expect(isValidSignal(s), s).toBe(false);
  });
});

// Cross-check with the real engine: `docker import --change` applies the same changes to an
// empty config; the result must equal ours. Skipped when no engine answers.
const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
describe.skipIf(docker.status !== 0)('applyChanges against docker import --change', () => {
  it('produces the config the engine produces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-changes-'));
    const tag = `stowage-test/changes:${process.pid}`;
    try {
      // An empty rootfs tar: 1024 zero bytes.
      writeFileSync(join(dir, 'empty.tar'), Buffer.alloc(1024));
      const changes = ['ENTRYPOINT echo hi', 'EXPOSE 80 90-91/udp', 'ENV A=1 B=${A}x', 'WORKDIR a', 'WORKDIR b',
        'HEALTHCHECK --interval=5s --retries=2 CMD true', 'ONBUILD run echo', 'CMD ["x"]', 'LABEL "a b"=c',
        'VOLUME /v', 'USER nobody'];
      execFileSync('docker', ['import', ...changes.flatMap((c) => ['--change', c]), join(dir, 'empty.tar'), tag],
        { stdio: 'pipe', timeout: 60_000 });
      const real = JSON.parse(execFileSync('docker', ['inspect', '--format', '{{json .Config}}', tag], { encoding: 'utf8' }));
      const ours = applyChanges({ env: [], cmd: null, entrypoint: null, workingDir: '', user: '', exposedPorts: [],
        volumes: [], labels: {} }, changes);
      expect(ours.env).toEqual(real.Env);
      expect(ours.cmd).toEqual(real.Cmd);
      expect(ours.entrypoint).toEqual(real.Entrypoint);
      expect(ours.workingDir).toBe(real.WorkingDir);
      expect(ours.user).toBe(real.User);
      expect([...ours.exposedPorts].sort()).toEqual(Object.keys(real.ExposedPorts).sort());
      expect(ours.volumes).toEqual(Object.keys(real.Volumes));
      expect(ours.labels).toEqual(real.Labels);
      expect(ours.onBuild).toEqual(real.OnBuild);
      expect(ours.healthcheck).toEqual({ test: real.Healthcheck.Test, interval: real.Healthcheck.Interval,
        retries: real.Healthcheck.Retries });
    } finally {
      spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore', timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
