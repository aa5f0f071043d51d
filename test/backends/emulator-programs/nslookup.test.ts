import { describe, expect, it } from 'vitest';
import { FakeNet, sh } from './helpers/harness.js';

describe('nslookup and uptime', () => {
  const net = new FakeNet();
  net.hosts.set('nsweb', '172.18.0.2');

  it('prints the answer as busybox does inside a Docker user network', async () => {
    // Recorded from busybox 1.35 on Engine 20.10: `nslookup nsweb` on a user network.
    const r = await sh('nslookup nsweb; echo "rc $?"', { net: net.forContainer('172.18.0.3') });
    expect(r.stdout).toBe('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tnsweb\nAddress: 172.18.0.2\n\nNon-authoritative answer:\n\nrc 0\n');
  });

  it('reports an unknown name as NXDOMAIN with status 1', async () => {
    const r = await sh('nslookup nosuchhost; echo "rc $?"', { net: net.forContainer('172.18.0.3') });
    expect(r.stdout).toBe("Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nosuchhost: NXDOMAIN\n\n** server can't find nosuchhost: NXDOMAIN\n\nrc 1\n");
  });

  it('uptime prints the clock, the host uptime and the load average', async () => {
    const r = await sh('uptime');
    expect(r.stdout).toMatch(/^ \d\d:\d\d:\d\d up (\d+ days?, )?( ?\d+:\d\d|\d+ min),  0 users,  load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\n$/);
  });
});
