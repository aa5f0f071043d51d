/**
 * Platforms (`linux/amd64`, `linux/arm64/v8`) and the choice of one manifest from a manifest
 * list, as containerd's default matcher makes it: same OS, same architecture after
 * normalisation, the wanted variant first and, on 32-bit ARM, older variants after it.
 *
 * @module
 */
import { InvalidArgumentError, NotFoundError } from '../core/errors.js';
import type { Descriptor, ImageIndex, Platform } from './manifest.js';

const archAliases: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
  i686: '386',
};

/** Normalises architecture and variant spellings (`aarch64` -> `arm64`, arm64's `v8` implied). */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const raw = p.architecture.toLowerCase();
  const architecture = archAliases[raw] ?? raw;
  let variant = p.variant?.toLowerCase();
  if (raw === 'armhf' && variant === undefined) variant = 'v7';
  if (raw === 'armel' && variant === undefined) variant = 'v6';
  if (architecture === 'arm64' && (variant === undefined || variant === '8')) variant = 'v8';
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (architecture === 'arm' && /^[5-8]$/.test(variant ?? '')) variant = `v${variant}`;
  // amd64's `v1` is the baseline every amd64 CPU runs: the same as no variant.
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/**
 * Parses `os/arch[/variant]` (`linux/amd64`, `linux/arm/v7`); a bare `arch` means Linux.
 *
 * @throws InvalidArgumentError for anything else
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.some((p) => p === '') || parts.length > 3) {
    throw new InvalidArgumentError(`invalid platform ${JSON.stringify(text)}: expected os/arch[/variant]`, { details: { path: 'platform', value: text } });
  }
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0]! });
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform(variant === undefined ? { os, architecture } : { os, architecture, variant });
}

/** The platform this process runs on, as an engine on this host would pull for. */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };
  const architecture = arch[process.arch] ?? process.arch;
  if (architecture === 'arm') {
    const version = (process.config.variables as { arm_version?: string }).arm_version;
    return normalizePlatform({ os: 'linux', architecture, ...(version ? { variant: `v${version}` } : {}) });
  }
  return normalizePlatform({ os: 'linux', architecture });
}

/** `linux/arm64/v8`. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined).join('/');
}

/** How well an entry fits: lower is better; undefined when it does not run at all. */
function rank(entry: Platform, want: Platform): number | undefined {
  const e = normalizePlatform(entry);
  if (e.os !== want.os || e.architecture !== want.architecture) return undefined;
  if (e.variant === want.variant) return 0;
  if (want.architecture === 'arm') {
    // A v7 CPU runs v6 and v5 code: prefer the newest variant it can run.
    const have = Number((want.variant ?? 'v7').slice(1));
    const got = Number((e.variant ?? 'v7').slice(1));
    return got < have ? have - got : undefined;
  }
  // amd64 `v2`/`v3` builds need newer CPUs: use them only when asked for.
  if (want.architecture === 'amd64') return e.variant === undefined ? 0 : undefined;
  return want.variant === undefined ? 1 : undefined;
}

/**
 * The manifest of an index that suits `want` (attestation entries, `unknown/unknown`, never
 * match).
 *
 * @throws NotFoundError `no matching manifest for linux/amd64 in the manifest list entries`
 *   (Docker's text)
 */
export function selectPlatform(index: ImageIndex, want: Platform, where: Record<string, unknown> = {}): Descriptor {
  let best: { d: Descriptor; score: number } | undefined;
  for (const d of index.manifests) {
    if (!d.platform) continue;
    const score = rank(d.platform, want);
    if (score === undefined) continue;
    if (!best || score < best.score) best = { d, score };
  }
  if (!best) {
    throw new NotFoundError(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`, {
      details: { ...where, platform: formatPlatform(want), available: index.manifests.flatMap((d) => (d.platform ? [formatPlatform(d.platform)] : [])) },
    });
  }
  return best.d;
}
