/**
 * The capabilities Docker gives a container by default: the 14 a process needs to behave like
 * root over its own files and processes (chown, setuid, kill, bind low ports, mknod, raw
 * sockets for ping...) but nothing that reaches the host (no SYS_ADMIN, NET_ADMIN, SYS_PTRACE,
 * SYS_MODULE...).
 *
 * @module
 */

/** Docker's default capability set. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];
