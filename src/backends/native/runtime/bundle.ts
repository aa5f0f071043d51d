/**
 * The OCI runtime spec (`config.json`) of a container, as Docker's engine writes it for runc:
 * namespaces (mount, UTS, IPC, PID, network: the network one by path when the network half
 * made it, else a fresh one runc creates, which has only `lo`), Docker's default mounts
 * (proc, a tmpfs /dev, devpts, shm, mqueue, read-only sysfs and cgroups), the 14 default
 * capabilities, masked and read-only /proc and /sys paths, the default seccomp profile, the
 * devices cgroup rules, and explicit rlimits (so the container never inherits whatever the
 * supervisor's Node raised its own NOFILE to).
 *
 * The user comes already resolved (`uid`, `gid`, supplementary groups): resolving names in the
 * image's passwd/group is the caller's job.
 *
 * @module
 */
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { defaultSeccompProfile, type OciSeccomp } from './seccomp.js';

/** A resolved user. */
export interface ResolvedUser {
  /** User ID. */
  uid: number;
  /** Primary group ID. */
  gid: number;
  /** Supplementary group IDs. */
  additionalGids: number[];
}

/** An extra mount (bind mounts of volumes and engine files). */
export interface BundleMount {
  /** Path inside the container. */
  destination: string;
  /** Host path. */
  source: string;
  /** Read-only. */
  readOnly: boolean;
}

/** The process part of a spec (also what `runc exec --process` takes). */
export interface ProcessSpec {
  /** argv. */
  args: string[];
  /** `K=V` entries. */
  env: string[];
  /** Working directory (absolute). */
  cwd: string;
  /** The user. */
  user: ResolvedUser;
  /** Allocate a terminal. */
  terminal: boolean;
  /** Capabilities (default: Docker's 14). */
  capabilities?: readonly string[];
  /** NOFILE soft and hard limit (see `containerNofile()`). */
  nofile: number;
}

/** What {@link ociSpec} builds a spec from. */
export interface BundleSpec {
  /** The main process. */
  process: ProcessSpec;
  /** Absolute path of the mounted root filesystem. */
  rootfs: string;
  /** Hostname. */
  hostname: string;
  /** Extra mounts, applied after the defaults in order. */
  mounts: BundleMount[];
  /** A network namespace to join by path; absent: a fresh one (loopback only). */
  netnsPath?: string;
  /** cgroup path (cgroupfs driver), e.g. `/stowage/<id>`. */
  cgroupsPath: string;
}

/** Paths hidden from the container (bind-mounted over with /dev/null or an empty tmpfs). */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats',
  '/sys/devices/virtual/powercap', '/sys/firmware',
];

/** Paths remounted read-only. */
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The OCI process object. */
export function ociProcess(p: ProcessSpec): Record<string, unknown> {
  const caps = [...(p.capabilities ?? DEFAULT_CAPABILITIES)];
  return {
    terminal: p.terminal,
    user: { uid: p.user.uid, gid: p.user.gid, ...(p.user.additionalGids.length ? { additionalGids: p.user.additionalGids } : {}) },
    args: p.args,
    env: p.env,
    cwd: p.cwd,
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: p.nofile, soft: p.nofile }],
    oomScoreAdj: 0,
  };
}

/** Docker's default mounts, in its order. */
function defaultMounts(): Record<string, unknown>[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  ];
}

/** The devices cgroup: deny all, then the devices every container gets (null, zero, full, random, urandom, tty, console, ptmx); no /dev/net/tun... */
function deviceRules(): Record<string, unknown>[] {
  const c = (major: number, minor: number, allow = true) => ({ allow, type: 'c', major, minor, access: 'rwm' });
  return [{ allow: false, access: 'rwm' }, c(1, 5), c(1, 3), c(1, 9), c(1, 8), c(5, 0), c(5, 1), c(10, 229, false)];
}

/** The whole `config.json` object. */
export function ociSpec(spec: BundleSpec, seccomp: OciSeccomp = defaultSeccompProfile({ capabilities: spec.process.capabilities ?? DEFAULT_CAPABILITIES })): Record<string, unknown> {
  const namespaces: Record<string, string>[] = [
    { type: 'mount' },
    spec.netnsPath !== undefined ? { type: 'network', path: spec.netnsPath } : { type: 'network' },
    { type: 'uts' },
    { type: 'pid' },
    { type: 'ipc' },
  ];
  return {
    ociVersion: '1.0.2',
    process: ociProcess(spec.process),
    root: { path: spec.rootfs, readonly: false },
    hostname: spec.hostname,
    mounts: [
      ...defaultMounts(),
      ...spec.mounts.map((m) => ({
        destination: m.destination,
        type: 'bind',
        source: m.source,
        options: ['rbind', m.readOnly ? 'ro' : 'rw', 'rprivate'],
      })),
    ],
    linux: {
      // An unprivileged ICMP socket (ping without CAP_NET_RAW) and low ports, as Docker sets for a container of its own network namespace.
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' },
      resources: { devices: deviceRules() },
      cgroupsPath: spec.cgroupsPath,
      namespaces,
      seccomp,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
