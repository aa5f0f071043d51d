/**
 * The tutorial walkthrough: data volumes, volume containers, port mapping, links, create,
 * commit, import, the layering lesson and Dockerfile builds with their cache, printed the way
 * the `docker` command prints them.
 *
 * Runs on the emulator by default (`npm start`); `STOWAGE_BACKEND=docker npm start` runs the
 * same steps on a Docker Engine, with the busybox test image (`httpd` for nginx) since nothing
 * can be pulled offline.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { Engine, type Container, type Image } from 'stowage';
import { Layer, readImageArchive } from 'stowage/fs-union';
import { buildSection } from './lib/build-section.js';
import { imagesTable, psTable } from './lib/tables.js';

const engine = await Engine.open();
const emulated = engine.backend === 'emulator';
const hostDir = await mkdtemp(join(tmpdir(), 'stowage-walkthrough-'));
const run = Math.random().toString(36).slice(2, 7);
const name = (n: string) => (emulated ? n : `${n}-${run}`);
const containers: Container[] = [];
const images: Image[] = [];

function say(command: string, output?: string): void {
  console.log(`\n$ ${command}`);
  if (output !== undefined && output !== '') console.log(output.replace(/\n$/, ''));
}

async function fetchText(port: number): Promise<string> {
  for (let delay = 10; ; delay *= 2) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch (err) {
      if (delay > 2000) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function runDetached(spec: Parameters<typeof engine.containers.run>[0]): Promise<Container> {
  const c = await engine.containers.run(spec);
  containers.push(c);
  return c;
}

async function runToEnd(spec: Parameters<typeof engine.containers.run>[0]): Promise<string> {
  const c = await runDetached(spec);
  await c.wait();
  let out = '';
  for await (const line of c.logs()) out += `${line.text}\n`;
  return out;
}

try {
  // The images: the emulator's built-in catalogue, or the locally made busybox test image.
  let os = 'centos:7';
  let nginx = 'nginx';
  let nginxCmd: string[] | undefined;
  if (emulated) {
    for (const ref of [os, nginx]) {
      say(`docker pull ${ref}`);
      await engine.images.pull(ref, { onProgress: (e) => { if (e.status.startsWith('Status:')) console.log(e.status); } });
    }
  } else {
    const { seedTestImage, TEST_IMAGE } = await import('stowage/testing');
    await seedTestImage(engine);
    os = TEST_IMAGE;
    nginx = TEST_IMAGE;
    nginxCmd = ['httpd', '-f', '-p', '80', '-h', '/www'];
    console.log(`(${engine.backend} backend: using ${TEST_IMAGE}, with httpd standing in for nginx)`);
  }

  // 1. A data volume bind-mounted from the host.
  const www = join(hostDir, 'www');
  const web1 = await runDetached({ image: os, name: name('web1'), volumes: [`${www}:/data1`], cmd: ['sleep', '1000'] });
  say(`docker run -d -v ${www}:/data1 --name ${web1.name} ${os} sleep 1000`, web1.id);
  await web1.exec(['sh', '-c', 'echo "hello from the container" > /data1/abc.txt']);
  say(`docker exec ${web1.name} sh -c 'echo "hello from the container" > /data1/abc.txt'`);
  say(`cat ${www}/abc.txt`, await readFile(join(www, 'abc.txt'), 'utf8'));

  // 2. A volume container shared with --volumes-from.
  const web2 = await engine.containers.create({ image: os, name: name('web2'), volumes: ['/data1', '/data2'], cmd: ['true'] });
  containers.push(web2);
  say(`docker create -v /data1 -v /data2 --name ${web2.name} ${os}`, web2.id);
  say(`docker run --volumes-from ${web2.name} ${os} sh -c 'echo shared > /data2/note.txt'`,
    await runToEnd({ image: os, name: name('writer'), volumesFrom: [web2.name], cmd: ['sh', '-c', 'echo shared > /data2/note.txt'] }));
  say(`docker run --volumes-from ${web2.name}:ro --name ${name('web3')} ${os} cat /data2/note.txt`,
    await runToEnd({ image: os, name: name('web3'), volumesFrom: [`${web2.name}:ro`], cmd: ['cat', '/data2/note.txt'] }));
  const mounts = (await (await engine.containers.get(name('web3'))).inspect()).mounts;
  say(`docker inspect -f '{{json .Mounts}}' ${name('web3')}`, mounts.map((m) => `${m.destination} <- volume ${m.name?.slice(0, 12)} (${m.readOnly ? 'ro' : 'rw'})`).join('\n'));

  // 3. Port mapping: -P and -p 43000:80.
  const web4 = await runDetached({ image: nginx, name: name('web4'), cmd: nginxCmd, publishAll: true, exposedPorts: ['80/tcp'] });
  say(`docker run -d -P --name ${web4.name} ${nginx}`, web4.id);
  let fixedPort = 43000;
  let web5: Container;
  try {
    web5 = await runDetached({ image: nginx, name: name('web5'), cmd: nginxCmd, ports: [`${fixedPort}:80`] });
  } catch (err) {
    if ((err as { code?: string }).code !== 'CONFLICT') throw err;
    // 43000 is taken on this machine: the same step on a port the engine picks.
    const failed = await engine.containers.get(name('web5'));
    await failed.remove({ force: true });
    web5 = await runDetached({ image: nginx, name: name('web5'), cmd: nginxCmd, ports: ['80'] });
    fixedPort = (await web5.port(80))[0]!.hostPort;
    console.log(`(port 43000 is in use here; ${web5.name} got ${fixedPort} instead)`);
  }
  say(`docker run -d -p ${fixedPort}:80 --name ${web5.name} ${nginx}`, web5.id);
  say('docker ps -a', psTable(await engine.containers.list({ all: true })));
  const pPort = (await web4.port(80))[0]!.hostPort;
  for (const port of [pPort, fixedPort]) {
    const page = await fetchText(port);
    say(`curl -s http://127.0.0.1:${port}/ | grep -i title`, (page.match(/<title>.*<\/title>|<h1>.*<\/h1>/i) ?? [page.split('\n')[0]])[0]);
  }

  // 4. A link, and ping through it.
  say(`docker run --link ${web5.name}:web5 ${os} ping -c 1 web5`,
    await runToEnd({ image: os, name: name('pinger'), links: [`${web5.name}:web5`], cmd: ['ping', '-c', '1', 'web5'] }));

  // 5. create leaves a container in the Created state.
  const web6 = await engine.containers.create({ image: os, name: name('web6'), cmd: ['sh'] });
  containers.push(web6);
  say(`docker create --name ${web6.name} ${os}`, web6.id);
  say('docker ps -a', psTable((await engine.containers.list({ all: true })).filter((r) => r.id === web6.id)));

  // 6. commit with a message and an author.
  await web1.exec(['sh', '-c', 'echo "made in web1" > /etc/motd']);
  const committed = await web1.commit({ repo: name('centos'), tag: 'test', message: 'new', author: 'centos' });
  images.push(committed);
  say(`docker commit -m "new" -a "centos" ${web1.name} ${name('centos')}:test`, committed.id);

  // 7. import a rootfs .tar.gz made from a container's filesystem.
  const rootfs = web6.export().pipe(createGzip());
  const imported = await engine.images.import(rootfs, { ref: `${name('debian')}:test`, message: 'imported rootfs' });
  images.push(imported);
  say(`docker export ${web6.name} | gzip > rootfs.tar.gz && docker import rootfs.tar.gz ${name('debian')}:test`, imported.id);
  say('docker images', imagesTable(await engine.images.list()));

  // 8. The layering lesson: a file deleted in a later layer is gone from the view, not from the image.
  const step1 = await runToEnd({ image: os, name: name('layer1'), cmd: ['sh', '-c', 'echo s3cret > /secret.txt'] });
  void step1;
  const img1 = await (await engine.containers.get(name('layer1'))).commit({ repo: name('lesson'), tag: 'step1' });
  images.push(img1);
  await runToEnd({ image: `${name('lesson')}:step1`, name: name('layer2'), cmd: ['rm', '/secret.txt'] });
  const img2 = await (await engine.containers.get(name('layer2'))).commit({ repo: name('lesson'), tag: 'step2' });
  images.push(img2);
  say(`docker run ${name('lesson')}:step2 cat /secret.txt`,
    await runToEnd({ image: `${name('lesson')}:step2`, name: name('viewer'), cmd: ['sh', '-c', 'cat /secret.txt 2>&1 || true'] }));
  const archive = await readImageArchive(img2.save());
  try {
    const layers = archive.images[0]!.layers;
    say(`docker save ${name('lesson')}:step2 | (read each layer with stowage/fs-union)`);
    for (const [i, l] of layers.entries()) {
      const layer = await Layer.fromTar(l.open());
      const secret = layer.get('secret.txt');
      const note = secret?.type === 'file'
        ? `secret.txt is here (${secret.content.size} bytes: still in the image)`
        : layer.hasWhiteout('secret.txt') ? '.wh.secret.txt hides it from the layers below' : '';
      if (note) console.log(`layer ${i} ${l.diffId.slice(7, 19)}: ${note}`);
    }
  } finally {
    await archive.dispose();
  }
  // 9. Dockerfile builds: steps and layers, the cache, and rule 5 on a built image.
  await buildSection({ engine, base: os, dir: hostDir, name, say, images });
  console.log('\nDone: every step ran on the', engine.backend, 'backend.');
} finally {
  for (const c of containers.reverse()) await c.remove({ force: true, volumes: true }).catch(() => undefined);
  for (const i of images.reverse()) await i.remove({ force: true }).catch(() => undefined);
  await engine.close();
  await rm(hostDir, { recursive: true, force: true });
}
