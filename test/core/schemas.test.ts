import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  BuildSpecSchema,
  ChangeSchema,
  ContainerInfoSchema,
  ContainerSpecSchema,
  NetworkInfoSchema,
  PortSpecSchema,
  RunSpecSchema,
  VolumeInfoSchema,
  parseInput,
  type ContainerInfo,
  type ContainerSpec,
  type RunSpec,
} from '../../src/backend/index.js';
import { InvalidArgumentError } from '../../src/index.js';
import { exactSchema } from '../../src/core/schemas/exact.js';

const hex64 = 'a'.repeat(64);

function containerInfo(): ContainerInfo {
  return {
    id: hex64,
    name: 'web1',
    image: 'busybox',
    imageId: `sha256:${'b'.repeat(64)}`,
    created: new Date(0),
    state: { status: 'running', running: true, paused: false, exitCode: 0, startedAt: new Date(1) },
    config: {
      cmd: ['sh'], entrypoint: null, env: ['PATH=/bin'], workingDir: '', user: '', hostname: 'aaaaaaaaaaaa',
      labels: {}, tty: false, openStdin: false, exposedPorts: ['80/tcp'],
    },
    mounts: [{ type: 'volume', source: '', destination: '/data', name: 'data', readOnly: false }],
    ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 43000 }],
    networks: { bridge: { ipAddress: '172.17.0.2', aliases: [] } },
    links: [],
  };
}

/** The `details.path` of the InvalidArgumentError `fn` throws. */
function badPath(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return String((e as InvalidArgumentError).details['path']);
  }
  throw new Error('expected InvalidArgumentError');
}

describe('exactSchema', () => {
  interface Sample { a: string; b?: number; c: string[] | null }

  it('returns the schema it was given, typed by the interface', () => {
    const raw = z.object({ a: z.string(), b: z.number().optional(), c: z.array(z.string()).nullable() });
    const tied = exactSchema<Sample>()(raw);
    expect(tied).toBe(raw);
    expectTypeOf(tied.parse({ a: 'x', c: null })).toEqualTypeOf<Sample>();
    expect(tied.parse({ a: 'x', c: null, extra: 1 })).toEqual({ a: 'x', c: null });
  });

  it('refuses a schema that drifted from its interface (checked by tsc)', () => {
    // Each call below must fail to type-check: tsc (run over test/) reports an unused
    // expect-error directive if exactSchema ever lets one through.
    const drifted = [
      // @ts-expect-error the schema lacks a required field
      exactSchema<Sample>()(z.object({ a: z.string(), b: z.number().optional() })),
      // @ts-expect-error the schema has an extra optional field
      exactSchema<Sample>()(z.object({ a: z.string(), b: z.number().optional(), c: z.array(z.string()).nullable(), d: z.string().optional() })),
      // @ts-expect-error an optional field became required
      exactSchema<Sample>()(z.object({ a: z.string(), b: z.number(), c: z.array(z.string()).nullable() })),
      // @ts-expect-error a nullable field lost its null
      exactSchema<Sample>()(z.object({ a: z.string(), b: z.number().optional(), c: z.array(z.string()) })),
      // @ts-expect-error the input type differs from the one declared
      exactSchema<{ n: number }, { n: string }>()(z.object({ n: z.number() })),
    ];
    // The guard is compile-time only: at run time each call hands its schema back untouched.
    expect(drifted.map((s) => s instanceof z.ZodObject)).toEqual([true, true, true, true, true]);
  });
});

describe('public schemas', () => {
  it('keep the shapes of their interfaces', () => {
    expectTypeOf(ContainerSpecSchema.parse({ image: 'x' })).toEqualTypeOf<ContainerSpec>();
    expectTypeOf(RunSpecSchema.parse({ image: 'x' })).toEqualTypeOf<RunSpec>();
    const info = containerInfo();
    expect(ContainerInfoSchema.parse(info)).toEqual(info);
  });

  it('name the bad field of an output', () => {
    const info = containerInfo();
    expect(() => ContainerInfoSchema.parse({ ...info, state: { ...info.state, status: 'sleeping' } })).toThrow(/state/);
    expect(badPath(() => parseInput(ContainerInfoSchema, { ...info, name: '/web1' }, 'info'))).toBe('info.name');
    expect(badPath(() => parseInput(ChangeSchema, { kind: 'X', path: '/a' }, 'change'))).toBe('change.kind');
    expect(badPath(() => parseInput(VolumeInfoSchema, { name: 'v', driver: 'nfs', labels: {}, created: new Date(), anonymous: false }, 'v'))).toBe('v.driver');
    expect(badPath(() => parseInput(NetworkInfoSchema, {
      id: hex64, name: 'n', driver: 'bridge', subnet: '10.0.0.0/24', gateway: '10.0.0.1', internal: false,
      containers: { [hex64]: { name: 'c', ipAddress: '10.0.0.2' } },
    }, 'n'))).toBe(`n.containers.${hex64}.aliases`);
  });

  it('validate the spec forms, with RunSpec extending ContainerSpec', () => {
    const spec: RunSpec = { image: 'busybox', ports: ['80', { containerPort: 81, hostPort: 0 }], volumes: [{ target: '/d' }], pull: 'never' };
    expect(RunSpecSchema.parse(spec)).toEqual(spec);
    // The create schema does not know the pull policy: an unknown key, refused.
    expect(badPath(() => parseInput(ContainerSpecSchema, spec, 'spec'))).toBe('spec.pull');
    expect(badPath(() => parseInput(RunSpecSchema, { image: 'busybox', pull: 'sometimes' }, 'spec'))).toBe('spec.pull');
    expect(badPath(() => parseInput(ContainerSpecSchema, { image: 'busybox', ports: [{ containerPort: 0 }] }, 'spec'))).toBe('spec.ports.0.containerPort');
    expect(badPath(() => parseInput(PortSpecSchema, { containerPort: 70000 }, 'p'))).toBe('p.containerPort');
  });

  it('require a build context', () => {
    expect(badPath(() => parseInput(BuildSpecSchema, { tags: ['a:1'] }, 'spec'))).toBe('spec.context');
    expect(BuildSpecSchema.parse({ context: '/tmp/ctx' })).toEqual({ context: '/tmp/ctx' });
  });
});
