/**
 * The test image every conformance run uses: a busybox rootfs made from Debian's
 * `busybox-static`, built locally as a tar (nothing is pulled), imported as
 * `stowage-test/busybox`. `httpd` stands in for nginx.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { pack } from 'tar-stream';
import { createGzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** The reference the fixture image is imported as. */
export const TEST_IMAGE = 'stowage-test/busybox:latest';

/** The page `httpd` serves from `/www` in the test image. */
export const TEST_PAGE = '<html><body><h1>stowage test page</h1></body></html>\n';

const BUSYBOX_PATHS = ['/usr/bin/busybox', '/bin/busybox'];

/** Applets linked when the host busybox cannot list its own (the emulator needs no binary). */
const FALLBACK_APPLETS = ('sh ash cat cp echo env false grep head hostname httpd id ln ls mkdir mv ping ' +
  'printf pwd rm rmdir sed sleep sort tail tar tee test touch true wc wget which chmod chown date ' +
  'seq basename dirname uname whoami find xargs gzip gunzip zcat yes stat du df kill ps mount nslookup nc [').split(' ');

/** Where the host's busybox binary is, if it has one. */
export function findHostBusybox(): string | undefined {
  return BUSYBOX_PATHS.find((p) => existsSync(p));
}

/**
 * A gzip rootfs tar of busybox: `/bin/busybox` and a symlink per applet, `/etc/passwd` and
 * `/etc/group`, `/tmp` (1777), `/www/index.html`, and the usual empty directories.
 *
 * @param options.requireBinary fail when the host has no busybox (backends that run real
 *   binaries need it; the emulator dispatches applets by name and does not)
 */
export function busyboxRootfsTar(options: { requireBinary?: boolean } = {}): Readable {
  const hostBusybox = findHostBusybox();
  if (!hostBusybox && options.requireBinary) {
    throw new Error('busybox is not installed on this host (apt-get install busybox-static)');
  }
  // Without a host busybox the emulator still runs the image: it dispatches applets by the
  // name they are invoked by. The stand-in must not start with `#!`, or it would be a script.
  const binary = hostBusybox ? readFileSync(hostBusybox) : Buffer.from('\x7fELF stowage busybox stand-in (no host busybox)\n', 'latin1');
  const applets = hostBusybox
    ? execFileSync(hostBusybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox')
    : FALLBACK_APPLETS;
  const mtime = new Date('2024-01-01T00:00:00Z');
  const tar = pack();
  const dir = (name: string, mode = 0o755) => tar.entry({ name, type: 'directory', mode, mtime });
  const file = (name: string, content: string | Buffer, mode = 0o644) => tar.entry({ name, mode, mtime }, content);
  for (const d of ['bin/', 'etc/', 'root/', 'var/', 'var/www/', 'home/', 'proc/', 'sys/', 'dev/', 'usr/', 'usr/bin/', 'www/']) dir(d, d === 'root/' ? 0o700 : 0o755);
  dir('tmp/', 0o1777);
  file('bin/busybox', binary, 0o755);
  for (const applet of applets) tar.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox', mode: 0o777, mtime });
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  file('etc/group', 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n');
  file('www/index.html', TEST_PAGE);
  tar.finalize();
  return tar.pipe(createGzip());
}
