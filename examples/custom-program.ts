/**
 * Emulated containers run your own TypeScript programs: here a tiny HTTP service, reached
 * through a published port by a real HTTP client, and a client container that finds it by
 * name on a user network. Run with `npx tsx examples/custom-program.ts`.
 */
import { createServer } from 'node:http';
import { Engine } from 'stowage';
import type { ProgramContext } from 'stowage/emulator';

/** A program: answers every request with a greeting and its container's hostname. */
async function greeter(ctx: ProgramContext): Promise<number> {
  const server = createServer((req, res) => res.end(`hello from ${ctx.hostname}: ${req.url}\n`));
  // The program's listener lives on the container's virtual network.
  await ctx.net.listen(8080, (socket) => server.emit('connection', socket));
  ctx.stdout.write('listening on 8080\n');
  // Run until stopped: the container's stop/kill aborts this signal.
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  return 0;
}

await using engine = await Engine.open({ backend: 'emulator', programs: { greeter } });
await engine.images.pull('busybox');
await using net = await engine.networks.create({ name: 'demo' });
await using web = await engine.containers.run({
  image: 'busybox', name: 'greeter', cmd: ['greeter'], network: net.name, ports: ['127.0.0.1::8080'],
});
const [binding] = await web.port(8080);
const fromHost = await (await fetch(`http://127.0.0.1:${binding!.hostPort}/from-host`)).text();
console.log(fromHost.trim());

// Another container reaches it by name, with the built-in wget.
await using client = await engine.containers.run({
  image: 'busybox', network: net.name, cmd: ['wget', '-qO-', 'http://greeter:8080/from-a-container'],
});
await client.wait();
for await (const line of client.logs()) console.log(line.text);
await web.stop();
