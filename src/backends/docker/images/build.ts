/**
 * `images.build()` over `POST /build` (Engine 20.10: the classic builder).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BuildRequest, CallOptions } from '../../../core/backend.js';
import { BuildError } from '../../../core/errors.js';
import type { BuildStep } from '../../../core/schemas/index.js';
import { seg, type DockerBackendContext } from '../context.js';
import { readJsonProgress } from '../transport/index.js';
import { packBuildContext } from './build-context.js';
import { rewriteContextDockerfile } from './context-stream.js';
import { BuildStepParser, findUnsupportedBuildFeatures } from './build-steps.js';
import { pruneDockerfile } from './prune-stages.js';

/**
 * Refuses Dockerfiles the classic builder cannot run, naming the feature and line; returns the
 * text to send when stages the target does not need were cut out.
 *
 * @throws BuildError naming the first unsupported feature
 */
function prepareDockerfile(text: string, request: BuildRequest): string | undefined {
  const pruned = pruneDockerfile(text, request.target, request.buildArgs);
  const [first] = findUnsupportedBuildFeatures(pruned ?? text);
  if (first) {
    throw new BuildError(`${first.feature} (line ${first.line}) is not supported by the Docker Engine's classic builder`, {
      details: { feature: first.feature, line: first.line, instruction: first.keyword, backend: 'docker' },
    });
  }
  return pruned;
}

/** The context to send: a directory packed, or a tar stream copied, each with its Dockerfile prepared. */
async function contextStream(request: BuildRequest, signal: AbortSignal | undefined): Promise<Readable> {
  if (typeof request.context !== 'string') {
    return rewriteContextDockerfile(request.context, {
      dockerfile: request.dockerfile, rewrite: (text) => prepareDockerfile(text, request), ...(signal ? { signal } : {}),
    });
  }
  let dockerfileText: string | undefined;
  try {
    dockerfileText = prepareDockerfile(await readFile(join(request.context, request.dockerfile), 'utf8'), request);
  } catch (error) {
    // A missing Dockerfile: the engine reports it in its own words.
    if (error instanceof BuildError) throw error;
  }
  return packBuildContext(request.context, {
    dockerfile: request.dockerfile, ...(signal ? { signal } : {}), ...(dockerfileText === undefined ? {} : { dockerfileText }),
  });
}

/** The image ID a build produced: its last `aux.ID`, else the `Successfully built <short>` line. */
async function builtImageId(ctx: DockerBackendContext, aux: unknown[], streams: string[], signal: AbortSignal | undefined): Promise<string | undefined> {
  // The classic builder names the image of every stage it finishes: the last is the result.
  for (const a of [...aux].reverse()) {
    const id = (a as { ID?: unknown } | null)?.ID;
    if (typeof id === 'string') return id;
  }
  for (const s of [...streams].reverse()) {
    const m = /Successfully built ([0-9a-f]+)/.exec(s);
    if (m) return (await ctx.client.json<{ Id: string }>('GET', `/images/${seg(m[1]!)}/json`, { signal })).Id;
  }
  return undefined;
}

/**
 * Builds an image: the context (a directory packed with `.dockerignore` rules, or a given tar
 * stream copied entry by entry) goes to `POST /build` with its Dockerfile cut to the stages the
 * target needs; progress lines go to `onProgress`; a failing step rejects with
 * a BuildError naming it.
 */
export async function buildImage(ctx: DockerBackendContext, request: BuildRequest, options: CallOptions = {}): Promise<{ id: string; steps: BuildStep[] }> {
  const { signal } = options;
  const context = await contextStream(request, signal);
  // What failed the context's stream (a refused Dockerfile, an unreadable file) is the reason
  // the request failed, not the aborted upload the HTTP client reports.
  let contextError: unknown;
  context.once('error', (error) => {
    contextError = error;
  });
  try {
    return await postBuild(ctx, request, context, signal);
  } catch (error) {
    throw contextError ?? error;
  }
}

async function postBuild(ctx: DockerBackendContext, request: BuildRequest, context: Readable, signal: AbortSignal | undefined): Promise<{ id: string; steps: BuildStep[] }> {
  const parser = new BuildStepParser();
  const body = await ctx.client.stream('POST', '/build', {
    query: {
      dockerfile: request.dockerfile,
      t: request.tags,
      buildargs: request.buildArgs,
      target: request.target,
      nocache: request.noCache,
      labels: request.labels,
      rm: true,
      // A failed step's container is removed too: nothing of a failed build lingers in the engine.
      forcerm: true,
    },
    body: context,
    contentType: 'application/x-tar',
    signal,
  });
  const result = await readJsonProgress(body, {
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(signal ? { signal } : {}),
    onMessage: (m) => {
      if (typeof m.stream === 'string') parser.push(m.stream);
    },
    toError: (message, detail) => {
      const step = parser.current;
      const where = step ? `step ${step.index} (${step.instruction})` : 'the build';
      return new BuildError(`${where} failed: ${message}`, {
        details: {
          ...(step ? { step: step.index, instruction: step.instruction } : {}),
          message,
          output: parser.tail.join('\n'),
          ...(detail.code !== undefined ? { exitCode: detail.code } : {}),
        },
      });
    },
  });
  const steps = parser.end();
  const id = await builtImageId(ctx, result.aux, result.streams, signal);
  if (!id) throw new BuildError('the engine finished the build without naming an image', { details: { steps: steps.length } });
  await attachLayers(ctx, id, steps, signal);
  return { id, steps };
}

/**
 * Names the layer of each step of the final stage that made one: the classic builder gives
 * every RUN, COPY and ADD exactly one layer, so they are the image's last layers, in order.
 */
async function attachLayers(ctx: DockerBackendContext, id: string, steps: BuildStep[], signal: AbortSignal | undefined): Promise<void> {
  const lastFrom = steps.findLastIndex((s) => /^FROM\s/i.test(s.instruction));
  const layered = steps.slice(lastFrom + 1).filter((s) => /^(RUN|COPY|ADD)\s/i.test(s.instruction));
  if (layered.length === 0) return;
  const info = await ctx.client.json<{ RootFS?: { Layers?: string[] } }>('GET', `/images/${seg(id)}/json`, { signal });
  const diffIds = info.RootFS?.Layers ?? [];
  if (diffIds.length < layered.length) return;
  layered.forEach((s, i) => {
    s.layer = diffIds[diffIds.length - layered.length + i];
  });
}
