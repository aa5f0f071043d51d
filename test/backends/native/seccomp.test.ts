// Our seccomp profile generator against moby's profiles/seccomp/default.json. The reference is
// not in this repository: set STOWAGE_MOBY_SECCOMP to the JSON file, or to a moby checkout (the
// file is looked for under profiles/seccomp/ and vendor/github.com/moby/profiles/seccomp/).
// Without it, the comparison skips and the self-checks still run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../../src/backends/native/runtime/capabilities.js';
import { defaultSeccompProfile, goArch, kernelVersion, type OciSyscallRule } from '../../../src/backends/native/runtime/seccomp.js';

interface MobyRule extends OciSyscallRule {
  includes?: { arches?: string[]; caps?: string[]; minKernel?: string };
  excludes?: { arches?: string[]; caps?: string[]; minKernel?: string };
}
interface MobyProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap: { architecture: string; subArchitectures: string[] | null }[];
  syscalls: MobyRule[];
}

function referencePath(): string | undefined {
  const given = process.env.STOWAGE_MOBY_SECCOMP;
  if (!given) return undefined;
  for (const p of [given, join(given, 'profiles/seccomp/default.json'), join(given, 'vendor/github.com/moby/profiles/seccomp/default.json')]) {
    if (existsSync(p) && p.endsWith('.json')) return p;
  }
  throw new Error(`STOWAGE_MOBY_SECCOMP=${given}: no default.json there`);
}

const atLeast = (kernel: [number, number], min: string): boolean => {
  const [major, minor] = min.split('.').map(Number) as [number, number];
  return kernel[0] > major || (kernel[0] === major && kernel[1] >= minor);
};

/** The engine's filtering of moby's profile, done here from the rules' documented meaning. */
function expected(profile: MobyProfile, arch: string, caps: readonly string[], kernel: [number, number]): OciSyscallRule[] {
  const out: OciSyscallRule[] = [];
  for (const rule of profile.syscalls) {
    const { includes: inc, excludes: exc } = rule;
    if (exc?.arches?.includes(arch) || exc?.caps?.some((c) => caps.includes(c)) || (exc?.minKernel && atLeast(kernel, exc.minKernel))) continue;
    if ((inc?.arches && !inc.arches.includes(arch)) || (inc?.caps && !inc.caps.every((c) => caps.includes(c))) || (inc?.minKernel && !atLeast(kernel, inc.minKernel))) continue;
    out.push({ names: rule.names, action: rule.action, ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}), ...(rule.args?.length ? { args: rule.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op })) } : {}) });
  }
  return out;
}

/** A rule as a comparable string (names sorted: order within a rule does not matter). */
const key = (r: OciSyscallRule): string => JSON.stringify({ ...r, names: [...r.names].sort() });

describe('default seccomp profile', () => {
  it('refuses namespaces, mount and bpf to a container with the default capabilities, allows them with SYS_ADMIN', () => {
    const plain = defaultSeccompProfile({ capabilities: DEFAULT_CAPABILITIES, arch: 'amd64', kernel: [6, 1] });
    const allowed = (p: typeof plain, name: string) => p.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args && r.names.includes(name));
    expect(plain.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(plain.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    for (const name of ['mount', 'unshare', 'setns', 'bpf', 'clone3']) expect(allowed(plain, name), name).toBe(false);
    expect(plain.syscalls.find((r) => r.names.includes('clone3'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    for (const name of ['read', 'ptrace', 'arch_prctl', 'chroot']) expect(allowed(plain, name), name).toBe(true);
    const admin = defaultSeccompProfile({ capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], arch: 'amd64', kernel: [6, 1] });
    for (const name of ['mount', 'unshare', 'setns', 'clone3']) expect(allowed(admin, name), name).toBe(true);
    const old = defaultSeccompProfile({ capabilities: DEFAULT_CAPABILITIES, arch: 'amd64', kernel: [4, 4] });
    expect(allowed(old, 'ptrace')).toBe(false);
    expect(defaultSeccompProfile({ capabilities: DEFAULT_CAPABILITIES, arch: 'arm64' }).syscalls.some((r) => r.names.includes('arch_prctl'))).toBe(false);
  });

  const reference = referencePath();
  it.skipIf(!reference)('matches moby\'s default.json for several capability sets, architectures and kernels (STOWAGE_MOBY_SECCOMP)', () => {
    const profile = JSON.parse(readFileSync(reference!, 'utf8')) as MobyProfile;
    const capSets = [DEFAULT_CAPABILITIES, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_TIME', 'CAP_BPF', 'CAP_PERFMON', 'CAP_SYSLOG']];
    for (const arch of [goArch(), 'amd64', 'arm64', 's390x']) {
      for (const caps of capSets) {
        for (const kernel of [kernelVersion(), [4, 4] as [number, number]]) {
          const ours = defaultSeccompProfile({ capabilities: caps, arch, kernel });
          expect(ours.defaultAction).toBe(profile.defaultAction);
          expect(ours.defaultErrnoRet).toBe(profile.defaultErrnoRet);
          const archMap = profile.archMap.find((a) => a.architecture === ours.architectures[0]);
          if (archMap) expect(ours.architectures).toEqual([archMap.architecture, ...(archMap.subArchitectures ?? [])]);
          expect(ours.syscalls.map(key).sort(), `${arch} ${caps.length} caps ${kernel.join('.')}`).toEqual(expected(profile, arch, caps, kernel).map(key).sort());
        }
      }
    }
  });
});
