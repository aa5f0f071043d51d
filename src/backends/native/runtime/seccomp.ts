/**
 * Docker's default seccomp profile, generated for one container: the same facts as moby's
 * `profiles/seccomp/default.json` (default action ERRNO(EPERM), the syscalls every container
 * may make, and the rules that depend on the architecture, the container's capabilities and
 * the kernel version), filtered the way the engine filters them before handing the profile to
 * the runtime:
 *
 * - a rule that names architectures applies only on those (Go's names: `amd64`, `arm64`...);
 * - a rule that names capabilities applies only when the bounding set holds all of them, and
 *   one that excludes capabilities only when it holds none of them;
 * - a rule with a minimum kernel applies only from that kernel on.
 *
 * With the 14 default capabilities this keeps, for example, `clone` with namespace flags
 * refused, `clone3` failing with ENOSYS (so libcs fall back to `clone`), `ptrace` allowed from
 * 4.8 and `mount`, `unshare`, `setns`, `bpf` refused.
 *
 * @module
 */
import { release } from 'node:os';
import { ALWAYS_ALLOWED_SYSCALLS } from './seccomp-syscalls.js';

/** The OCI `linux.seccomp` object. */
export interface OciSeccomp {
  /** Action for syscalls no rule names. */
  defaultAction: string;
  /** errno of the default action. */
  defaultErrnoRet?: number;
  /** libseccomp architectures the filter covers. */
  architectures: string[];
  /** Rules. */
  syscalls: OciSyscallRule[];
}

/** One OCI seccomp rule. */
export interface OciSyscallRule {
  /** Syscall names. */
  names: string[];
  /** `SCMP_ACT_ALLOW` or `SCMP_ACT_ERRNO`. */
  action: string;
  /** errno for ERRNO. */
  errnoRet?: number;
  /** Argument comparisons (all must hold). */
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

interface Rule extends OciSyscallRule {
  /** Applies only on these architectures. */
  arches?: string[];
  /** Never applies on these architectures. */
  notArches?: string[];
  /** Applies only when every one of these capabilities is held. */
  caps?: string[];
  /** Applies only when none of these capabilities is held. */
  notCaps?: string[];
  /** Applies only from this kernel (major, minor) on. */
  minKernel?: [number, number];
}

const ALLOW = 'SCMP_ACT_ALLOW';

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: a clone with any is refused without CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** personality(2) values the profile allows: PER_LINUX, UNAME26, PER_LINUX32, PER_LINUX32|UNAME26, and the query 0xffffffff. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

const allow = (names: string[], more: Omit<Rule, 'names' | 'action'> = {}): Rule => ({ names, action: ALLOW, ...more });

/** The conditional rules, after the unconditional list. */
const RULES: Rule[] = [
  allow(['process_vm_readv', 'process_vm_writev', 'ptrace'], { minKernel: [4, 8] }),
  // AF_VSOCK (40) is refused; AF_ALG (38) is allowed, others below and above too.
  allow(['socket'], { args: [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }] }),
  allow(['socket'], { args: [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }] }),
  allow(['socket'], { args: [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }] }),
  ...PERSONALITIES.map((value) => allow(['personality'], { args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })),
  allow(['sync_file_range2', 'swapcontext'], { arches: ['ppc64le'] }),
  allow(['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'], { arches: ['arm', 'arm64'] }),
  allow(['arch_prctl'], { arches: ['amd64', 'x32'] }),
  allow(['modify_ldt'], { arches: ['amd64', 'x32', 'x86'] }),
  allow(['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'], { arches: ['s390', 's390x'] }),
  allow(['riscv_flush_icache'], { arches: ['riscv64'] }),
  allow(['open_by_handle_at'], { caps: ['CAP_DAC_READ_SEARCH'] }),
  allow([
    'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie',
    'lsm_get_self_attr', 'lsm_list_modules', 'lsm_set_self_attr', 'mount', 'mount_setattr', 'move_mount', 'open_tree',
    'perf_event_open', 'quotactl', 'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syslog', 'umount', 'umount2',
    'unshare',
  ], { caps: ['CAP_SYS_ADMIN'] }),
  // Without CAP_SYS_ADMIN, clone only without namespace flags (the flags are arg 0, arg 1 on s390).
  allow(['clone'], { args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ' }], notCaps: ['CAP_SYS_ADMIN'], notArches: ['s390', 's390x'] }),
  allow(['clone'], { args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ' }], arches: ['s390', 's390x'], notCaps: ['CAP_SYS_ADMIN'] }),
  // clone3's flags are in a struct seccomp cannot see: ENOSYS makes libcs fall back to clone.
  { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, notCaps: ['CAP_SYS_ADMIN'] },
  allow(['reboot'], { caps: ['CAP_SYS_BOOT'] }),
  allow(['chroot'], { caps: ['CAP_SYS_CHROOT'] }),
  allow(['delete_module', 'init_module', 'finit_module'], { caps: ['CAP_SYS_MODULE'] }),
  allow(['acct'], { caps: ['CAP_SYS_PACCT'] }),
  allow(['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'], { caps: ['CAP_SYS_PTRACE'] }),
  allow(['iopl', 'ioperm'], { caps: ['CAP_SYS_RAWIO'] }),
  allow(['settimeofday', 'stime', 'clock_settime', 'clock_settime64'], { caps: ['CAP_SYS_TIME'] }),
  allow(['vhangup'], { caps: ['CAP_SYS_TTY_CONFIG'] }),
  allow(['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'], { caps: ['CAP_SYS_NICE'] }),
  allow(['syslog'], { caps: ['CAP_SYSLOG'] }),
  allow(['bpf'], { caps: ['CAP_BPF'] }),
  allow(['perf_event_open'], { caps: ['CAP_PERFMON'] }),
];

/** libseccomp architectures per native architecture (Go's names): the native one and its compat ABIs. */
const ARCH_MAP: Record<string, string[]> = {
  amd64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  s390x: ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'],
  riscv64: ['SCMP_ARCH_RISCV64'],
  loong64: ['SCMP_ARCH_LOONGARCH64'],
};

/** Node's `process.arch` in Go's spelling. */
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64', loong64: 'loong64' } as Record<string, string>)[arch] ?? arch;
}

/** `[major, minor]` of a kernel release string (`6.1.0-18-amd64`). */
export function kernelVersion(text: string = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Options of {@link defaultSeccompProfile}. */
export interface SeccompOptions {
  /** The container's bounding capabilities (`CAP_CHOWN`, ...). */
  capabilities: readonly string[];
  /** Go architecture name (default: this host's). */
  arch?: string;
  /** Kernel version (default: this host's). */
  kernel?: [number, number];
}

function applies(rule: Rule, arch: string, caps: ReadonlySet<string>, kernel: [number, number]): boolean {
  if (rule.notArches?.includes(arch)) return false;
  if (rule.notCaps?.some((c) => caps.has(c))) return false;
  if (rule.arches && !rule.arches.includes(arch)) return false;
  if (rule.caps && !rule.caps.every((c) => caps.has(c))) return false;
  if (rule.minKernel) {
    const [major, minor] = rule.minKernel;
    if (kernel[0] < major || (kernel[0] === major && kernel[1] < minor)) return false;
  }
  return true;
}

/** Docker's default seccomp profile for a container with these capabilities. */
export function defaultSeccompProfile(options: SeccompOptions): OciSeccomp {
  const arch = options.arch ?? goArch();
  const kernel = options.kernel ?? kernelVersion();
  const caps = new Set(options.capabilities);
  const syscalls: OciSyscallRule[] = [{ names: [...ALWAYS_ALLOWED_SYSCALLS], action: ALLOW }];
  for (const rule of RULES) {
    if (!applies(rule, arch, caps, kernel)) continue;
    const { names, action, errnoRet, args } = rule;
    syscalls.push({ names, action, ...(errnoRet !== undefined ? { errnoRet } : {}), ...(args ? { args } : {}) });
  }
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ARCH_MAP[arch] ?? [], syscalls };
}
