import { describe, expect, it } from 'vitest';
import { formatContainerStatus, humanDuration } from '../../src/core/human-duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration', () => {
  it("matches go-units' HumanDuration at each step", () => {
    const cases: [number, string][] = [
      [0, 'Less than a second'], [999, 'Less than a second'], [-5, 'Less than a second'],
      [1 * s, '1 second'], [3 * s, '3 seconds'], [59 * s, '59 seconds'],
      [60 * s, 'About a minute'], [119 * s, 'About a minute'], [2 * m, '2 minutes'], [59 * m, '59 minutes'],
      [60 * m, 'About an hour'], [89 * m, 'About an hour'], [90 * m, '2 hours'], [3 * h, '3 hours'],
      [47 * h, '47 hours'], [48 * h, '2 days'], [13 * d, '13 days'], [14 * d, '2 weeks'], [21 * d, '3 weeks'],
      [59 * d, '8 weeks'], [60 * d, '2 months'], [4 * 30 * d, '4 months'], [729 * d, '24 months'],
      [730 * d, '2 years'], [3 * 365 * d, '3 years'],
    ];
    for (const [ms, text] of cases) expect(humanDuration(ms), String(ms)).toBe(text);
  });
});

describe('formatContainerStatus', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const ago = (ms: number): Date => new Date(now.getTime() - ms);

  it('prints the rows of docker ps -a', () => {
    expect(formatContainerStatus({ status: 'running', exitCode: 0, startedAt: ago(3 * s), now })).toBe('Up 3 seconds');
    expect(formatContainerStatus({ status: 'paused', exitCode: 0, startedAt: ago(2 * m), now })).toBe('Up 2 minutes (Paused)');
    expect(formatContainerStatus({ status: 'exited', exitCode: 0, startedAt: ago(3 * m), finishedAt: ago(2 * m), now }))
      .toBe('Exited (0) 2 minutes ago');
    expect(formatContainerStatus({ status: 'exited', exitCode: 137, startedAt: ago(2 * h), finishedAt: ago(1 * h), now }))
      .toBe('Exited (137) About an hour ago');
    expect(formatContainerStatus({ status: 'created', exitCode: 0, now })).toBe('Created');
    expect(formatContainerStatus({ status: 'restarting', exitCode: 1, startedAt: ago(9 * s), finishedAt: ago(5 * s), now }))
      .toBe('Restarting (1) 5 seconds ago');
    expect(formatContainerStatus({ status: 'dead', exitCode: 0, now })).toBe('Dead');
    expect(formatContainerStatus({ status: 'removing', exitCode: 0, now })).toBe('Removal In Progress');
  });

  it('reads Created for a container whose start failed, as Docker does', () => {
    expect(formatContainerStatus({ status: 'created', exitCode: 127, now })).toBe('Created');
    expect(formatContainerStatus({ status: 'exited', exitCode: 127, now })).toBe('Created');
  });

  it('shows health after the uptime', () => {
    expect(formatContainerStatus({ status: 'running', exitCode: 0, startedAt: ago(5 * s), now, health: 'starting' }))
      .toBe('Up 5 seconds (health: starting)');
    expect(formatContainerStatus({ status: 'running', exitCode: 0, startedAt: ago(2 * m), now, health: 'healthy' }))
      .toBe('Up 2 minutes (healthy)');
  });
});
