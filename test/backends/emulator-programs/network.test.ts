import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeNet, createRootfs, duplexPair, run, sh, until } from './helpers/harness.js';

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort('SIGKILL');
});

/** Starts a server program in a "container" at `ip` and waits until it listens. */
async function startServer(net: FakeNet, ip: string, argv: string[], setup: (fs: Awaited<ReturnType<typeof createRootfs>>) => Promise<void>) {
  const fs = await createRootfs();
  await setup(fs);
  const ac = new AbortController();
  controllers.push(ac);
  const done = run(argv, { fs, net: net.forContainer(ip), signal: ac.signal });
  await until(() => [...net.listeners.keys()].some((k) => k.startsWith(`${ip}:`)));
  return { ac, done, fs };
}

describe('network programs', () => {
  it('httpd -f -p 80 -h /www serves a file to wget in another container', async () => {
    const net = new FakeNet();
    net.hosts.set('web4', '172.17.0.3');
    const server = await startServer(net, '172.17.0.3', ['httpd', '-f', '-p', '80', '-h', '/www'], async (fs) => {
      await fs.mkdir('/www/docs', { recursive: true });
      await fs.writeFile('/www/index.html', '<h1>It works</h1>\n');
      await fs.writeFile('/www/docs/a.json', '{"a":1}');
    });
    const client = net.forContainer('172.17.0.4');
    const r = await sh('wget -q -O- http://web4/; wget -q -O /tmp/a http://web4/docs/a.json && cat /tmp/a; echo', { net: client });
    expect(r).toMatchObject({ code: 0, stdout: '<h1>It works</h1>\n{"a":1}\n' });

    const saved = await sh('cd /tmp && wget http://web4:80/index.html && cat index.html', { net: client });
    expect(saved.stdout).toBe('<h1>It works</h1>\n');
    expect(saved.stderr).toContain("Connecting to web4 (172.17.0.3:80)\nsaving to 'index.html'\n");
    expect(saved.stderr).toContain("'index.html' saved\n");

    const missing = await sh('wget -q -O- http://web4/nope; echo $?', { net: client });
    expect(missing.stdout).toBe('1\n');
    expect(missing.stderr).toBe('wget: server returned error: HTTP/1.1 404 Not Found\n');

    const headers = await sh('wget -S -q -O /dev/null http://web4/docs/a.json 2>&1 | grep -i content-type', { net: client });
    expect(headers.stdout).toBe('  Content-Type: application/json\n');

    server.ac.abort('SIGTERM');
    expect((await server.done).code).toBe(143);
  });

  it('nginx serves /usr/share/nginx/html with `daemon off;`, reachable by node:http', async () => {
    const net = new FakeNet();
    const server = await startServer(net, '172.17.0.5', ['nginx', '-g', 'daemon off;'], async (fs) => {
      await fs.mkdir('/usr/share/nginx/html', { recursive: true });
      await fs.writeFile('/usr/share/nginx/html/index.html', '<title>Welcome to nginx!</title>\n');
    });
    const handler = net.listeners.get('172.17.0.5:80')!;
    const { status, body, type } = await new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      const req = request({
        path: '/',
        createConnection: () => {
          const [client, serverSide] = duplexPair();
          handler(serverSide);
          return client as never;
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, type: String(res.headers['content-type']) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect({ status, body, type }).toEqual({ status: 200, body: '<title>Welcome to nginx!</title>\n', type: 'text/html' });
    const notFound = await sh('wget -q -O- http://172.17.0.5/missing; echo $?', { net: net.forContainer('172.17.0.6') });
    expect(notFound.stdout).toBe('1\n');
    server.ac.abort('SIGTERM');
    expect((await server.done).code).toBe(0);
  });

  it('wget reports a bad address and a refused connection like busybox', async () => {
    const net = new FakeNet();
    net.hosts.set('down', '172.17.0.9');
    const r = await sh('wget -q http://nohost/; echo $?; wget -q http://down:8080/; echo $?', { net: net.forContainer('172.17.0.2') });
    expect(r.stdout).toBe('1\n1\n');
    expect(r.stderr).toBe("wget: bad address 'nohost'\nwget: can't connect to remote host (172.17.0.9): Connection refused\n");
  });

  it('ping -c 1 resolves the name and prints busybox lines', async () => {
    const net = new FakeNet();
    net.hosts.set('web4', '172.17.0.3');
    const r = await run(['ping', '-c', '1', 'web4'], { net: net.forContainer('172.17.0.2') });
    expect(r).toMatchObject({
      code: 0,
      stdout:
        'PING web4 (172.17.0.3): 56 data bytes\n' +
        '64 bytes from 172.17.0.3: seq=0 ttl=64 time=0.100 ms\n\n' +
        '--- web4 ping statistics ---\n' +
        '1 packets transmitted, 1 packets received, 0% packet loss\n' +
        'round-trip min/avg/max = 0.100/0.100/0.100 ms\n',
    });
    const bad = await run(['ping', '-c', '1', 'x'], { net: net.forContainer('172.17.0.2') });
    expect(bad).toMatchObject({ code: 1, stderr: "ping: bad address 'x'\n" });
  });

  it('an endless ping prints its statistics when stopped', async () => {
    const net = new FakeNet();
    net.hosts.set('web4', '172.17.0.3');
    const ac = new AbortController();
    let sleeps = 0;
    const done = run(['ping', 'web4'], { net: net.forContainer('172.17.0.2'), signal: ac.signal, onSleep: () => sleeps++ });
    await until(() => sleeps >= 1);
    ac.abort('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- web4 ping statistics ---\n1 packets transmitted, 1 packets received');
  });
});
