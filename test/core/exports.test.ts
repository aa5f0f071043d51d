/**
 * The package's entry points (issue 12, "Package"): `stowage` is the user's API, what backend
 * implementers need is `stowage/backend`, and every entry point is declared alike in
 * package.json, tsconfig paths and typedoc.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as backend from '../../src/backend/index.js';
import * as root from '../../src/index.js';

const read = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));

describe('entry points', () => {
  it('the root is the user\'s API: engine, handles, errors; no schemas or zod helpers', () => {
    for (const name of ['Engine', 'Container', 'Image', 'Volume', 'Network', 'StowageError', 'EngineError', 'InvalidArgumentError', 'parseDockerfile', 'parseImageRef']) {
      expect(root, name).toHaveProperty(name);
    }
    expect(Object.keys(root).filter((k) => /Schema$/.test(k) || ['parseInput', 'parseOutput', 'NonEmpty', 'PortNumber'].includes(k))).toEqual([]);
  });

  it('stowage/backend has the schemas backends are checked against', () => {
    for (const name of ['ContainerInfoSchema', 'ContainerSummarySchema', 'ImageInfoSchema', 'VolumeInfoSchema', 'NetworkInfoSchema', 'ContainerSpecSchema', 'parseInput']) {
      expect(backend, name).toHaveProperty(name);
    }
  });

  it('package.json exports, tsconfig paths and typedoc entry points name the same modules', () => {
    const pkg = read('package.json') as { exports: Record<string, { types?: string; default?: string } | string>; files: string[]; sideEffects: boolean; license: string };
    const tsconfig = read('tsconfig.json') as { compilerOptions: { paths: Record<string, string[]> } };
    const typedoc = read('typedoc.json') as { entryPoints: string[] };
    const fromExports = Object.entries(pkg.exports)
      .filter(([key]) => key !== './package.json')
      .map(([key, value]) => {
        const target = typeof value === 'string' ? value : value.default!;
        expect(typeof value === 'string' ? undefined : value.types).toBe(target.replace(/\.js$/, '.d.ts'));
        return [key === '.' ? 'stowage' : `stowage/${key.slice(2)}`, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')] as const;
      });
    const fromPaths = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, target!.replace(/^\.\//, '')] as const);
    expect(Object.fromEntries(fromPaths)).toEqual(Object.fromEntries(fromExports));
    expect([...typedoc.entryPoints].sort()).toEqual(fromExports.map(([, file]) => file).sort());
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'src', 'LICENSE']));
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('Apache-2.0');
  });
});
