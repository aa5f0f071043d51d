/**
 * The walkthrough's Dockerfile chapter: a build that prints each step and its layer, a rebuild
 * where every step comes from the cache, a rebuild after a COPY source changed (that step and
 * every later one run again), and rule 5 on the built image (a file added in one step and
 * deleted in the next is hidden, but still stored in the image).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildStep, Engine, Image } from 'stowage';
import { Layer, readImageArchive } from 'stowage/fs-union';

/** What the chapter needs from the walkthrough. */
export interface BuildSectionContext {
  /** The engine. */
  engine: Engine;
  /** The base image. */
  base: string;
  /** A scratch directory. */
  dir: string;
  /** A name unique to this run. */
  name: (n: string) => string;
  /** Prints a command and its output. */
  say: (command: string, output?: string) => void;
  /** Images to remove at the end. */
  images: Image[];
}

function stepsText(steps: readonly BuildStep[]): string {
  return steps.map((s, i) => {
    const where = s.layer ? `layer ${s.layer.slice(7, 19)}` : s.instruction.startsWith('FROM') ? 'base image' : 'config only';
    return `Step ${i + 1}/${steps.length} : ${s.instruction}\n ---> ${s.cached ? 'Using cache, ' : ''}${where}`;
  }).join('\n');
}

/** Runs the chapter. */
export async function buildSection(ctx: BuildSectionContext): Promise<void> {
  const { engine, say } = ctx;
  const context = join(ctx.dir, 'build');
  await mkdir(context, { recursive: true });
  await writeFile(join(context, 'app.txt'), 'version 1\n');
  await writeFile(join(context, 'Dockerfile'), [
    `FROM ${ctx.base}`,
    'RUN echo "made by RUN" > /made.txt',
    'COPY app.txt /app/app.txt',
    'RUN echo s3cret > /secret.txt',
    'RUN rm /secret.txt',
    'CMD ["cat", "/app/app.txt"]',
    '',
  ].join('\n'));
  const tag = `${ctx.name('app')}:1`;
  const build = async (): Promise<{ image: Image; steps: BuildStep[] }> => {
    const result = await engine.images.build({ context, tags: [tag] });
    ctx.images.push(result.image);
    return result;
  };

  const first = await build();
  say(`docker build -t ${tag} .`, stepsText(first.steps));
  const again = await build();
  say(`docker build -t ${tag} .   # nothing changed: every step from the cache`, stepsText(again.steps));
  await writeFile(join(context, 'app.txt'), 'version 2\n');
  const changed = await build();
  say(`echo "version 2" > app.txt && docker build -t ${tag} .   # the COPY and every later step run again`, stepsText(changed.steps));

  const c = await engine.containers.run({ image: tag, cmd: ['sh', '-c', 'cat /app/app.txt; cat /secret.txt 2>&1 || true'] });
  await c.wait();
  let out = '';
  for await (const line of c.logs()) out += `${line.text}\n`;
  await c.remove({ force: true });
  say(`docker run ${tag} sh -c 'cat /app/app.txt; cat /secret.txt'`, out);

  // Rule 5: the deleted file is hidden by a whiteout, but its bytes are still in a lower layer.
  const archive = await readImageArchive(changed.image.save());
  try {
    say(`docker save ${tag} | (read each layer with stowage/fs-union)`);
    for (const [i, l] of archive.images[0]!.layers.entries()) {
      const layer = await Layer.fromTar(l.open());
      const secret = layer.get('secret.txt');
      if (secret?.type === 'file') console.log(`layer ${i} ${l.diffId.slice(7, 19)}: secret.txt is stored here (${secret.content.size} bytes)`);
      else if (layer.hasWhiteout('secret.txt')) console.log(`layer ${i} ${l.diffId.slice(7, 19)}: .wh.secret.txt hides it from the view`);
    }
  } finally {
    await archive.dispose();
  }
}
