/**
 * The synthetic root filesystems of the built-in images, described as plain entry lists.
 *
 * They are small on purpose: the directories people expect (`/bin`, `/etc`, `/tmp` with the
 * sticky bit, ...), the files tutorials read (`/etc/passwd`, `/etc/os-release`), and the
 * programs as busybox-style entries: one `busybox` file plus symlinks named after the applets,
 * which the emulator's launcher dispatches on by name. Every entry has a fixed mtime so the
 * layers (and therefore the image IDs) are the same in every process.
 *
 * @module
 */

/** One entry of a synthetic rootfs; paths are absolute. */
export type RootfsEntrySpec =
  | { type: 'directory'; path: string; mode?: number }
  | { type: 'file'; path: string; content: string | Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string };

/**
 * The applets every built-in image links to its `busybox` file: the programs the emulator
 * ships (DESIGN.md "Emulator") and a few more common busybox names.
 */
export const BUSYBOX_APPLETS: readonly string[] = [
  '[', '[[', 'ash', 'awk', 'basename', 'cat', 'chgrp', 'chmod', 'chown', 'cp', 'cut', 'date', 'dd', 'df',
  'dirname', 'du', 'echo', 'egrep', 'env', 'expr', 'false', 'fgrep', 'find', 'grep', 'gunzip', 'gzip',
  'head', 'hostname', 'httpd', 'id', 'kill', 'ln', 'ls', 'mkdir', 'mktemp', 'more', 'mount', 'mv', 'nc',
  'nslookup', 'ping', 'printenv', 'printf', 'ps', 'pwd', 'readlink', 'realpath', 'rm', 'rmdir', 'sed',
  'seq', 'sh', 'sleep', 'sort', 'stat', 'tail', 'tar', 'tee', 'test', 'top', 'touch', 'tr', 'true',
  'uname', 'uniq', 'uptime', 'wc', 'wget', 'which', 'whoami', 'xargs', 'yes', 'zcat',
];

/**
 * The bytes of the `busybox` file. Not a script (no `#!`), so the launcher dispatches on the
 * invoked name; the marker tells a curious reader what it is.
 */
export const BUSYBOX_CONTENT = Buffer.from('\x7fELF\x02\x01\x01\x00 stowage emulated multi-call binary (busybox)\n', 'latin1');

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'bin:x:2:2:bin:/bin:/bin/false',
  'sys:x:3:3:sys:/dev:/bin/false',
  'sync:x:4:100:sync:/bin:/bin/sync',
  'mail:x:8:8:mail:/var/spool/mail:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'operator:x:37:37:Operator:/var:/bin/false',
  'nobody:x:65534:65534:nobody:/home:/bin/false',
];

const GROUP = [
  'root:x:0:', 'daemon:x:1:', 'bin:x:2:', 'sys:x:3:', 'adm:x:4:', 'tty:x:5:', 'disk:x:6:',
  'wheel:x:10:root', 'mail:x:12:', 'www-data:x:33:', 'operator:x:37:', 'users:x:100:',
  'nogroup:x:65533:', 'nobody:x:65534:',
];

/** What distinguishes one distribution's rootfs from another. */
export interface DistroSpec {
  /** `/etc/os-release` text. */
  osRelease: string;
  /** The login shell written in `/etc/passwd` for root (`/bin/sh`, `/bin/bash`). */
  rootShell: string;
  /** True for the merged-/usr layout (`/bin -> usr/bin`) of Debian, Ubuntu and CentOS 7. */
  usrMerge: boolean;
  /** True to add `/bin/bash -> sh` (images whose CMD is bash). */
  bash: boolean;
  /** Extra entries (hostname files, distro-specific config). */
  extra?: RootfsEntrySpec[];
}

function lines(rows: readonly string[]): string {
  return `${rows.join('\n')}\n`;
}

/** The entries of a base distribution rootfs. */
export function distroRootfs(distro: DistroSpec): RootfsEntrySpec[] {
  const entries: RootfsEntrySpec[] = [];
  const dir = (path: string, mode = 0o755): void => void entries.push({ type: 'directory', path, mode });
  for (const d of ['/dev', '/etc', '/home', '/media', '/mnt', '/opt', '/proc', '/run', '/srv', '/sys', '/usr',
    '/usr/bin', '/usr/sbin', '/usr/local', '/usr/local/bin', '/usr/local/sbin', '/usr/share', '/usr/lib', '/var',
    '/var/cache', '/var/lib', '/var/log', '/var/spool', '/var/www', '/etc/network']) dir(d);
  dir('/root', 0o700);
  dir('/tmp', 0o1777);
  dir('/var/tmp', 0o1777);
  // Merged /usr: the top-level directories are links, and the programs live under /usr.
  const bin = distro.usrMerge ? '/usr/bin' : '/bin';
  if (distro.usrMerge) {
    entries.push({ type: 'symlink', path: '/bin', target: 'usr/bin' });
    entries.push({ type: 'symlink', path: '/sbin', target: 'usr/sbin' });
    entries.push({ type: 'symlink', path: '/lib', target: 'usr/lib' });
  } else {
    dir('/bin');
    dir('/sbin');
    dir('/lib');
  }
  entries.push({ type: 'file', path: `${bin}/busybox`, content: BUSYBOX_CONTENT, mode: 0o755 });
  for (const applet of BUSYBOX_APPLETS) entries.push({ type: 'symlink', path: `${bin}/${applet}`, target: 'busybox' });
  if (distro.bash) entries.push({ type: 'symlink', path: `${bin}/bash`, target: 'sh' });
  const passwd = PASSWD.map((row) => (row.startsWith('root:') ? `root:x:0:0:root:/root:${distro.rootShell}` : row));
  const file = (path: string, content: string, mode = 0o644): void => void entries.push({ type: 'file', path, content, mode });
  file('/etc/passwd', lines(passwd));
  file('/etc/group', lines(GROUP));
  file('/etc/shadow', lines(passwd.map((row) => `${row.split(':')[0]}:*:19000:0:99999:7:::`)), 0o640);
  file('/etc/shells', lines(['/bin/sh', ...(distro.bash ? ['/bin/bash'] : [])]));
  // The busybox image has no os-release, as upstream.
  if (distro.osRelease !== '') file('/etc/os-release', distro.osRelease);
  file('/etc/profile', 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  file('/etc/nsswitch.conf', 'hosts: files dns\n');
  file('/etc/network/interfaces', '');
  for (const e of distro.extra ?? []) entries.push(e);
  return entries;
}

/** The `/etc/os-release` of each built-in distribution. */
export const OS_RELEASE = {
  busybox: '',
  alpine: lines([
    'NAME="Alpine Linux"', 'ID=alpine', 'VERSION_ID=3.20.3', 'PRETTY_NAME="Alpine Linux v3.20"',
    'HOME_URL="https://alpinelinux.org/"', 'BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"',
  ]),
  centos7: lines([
    'NAME="CentOS Linux"', 'VERSION="7 (Core)"', 'ID="centos"', 'ID_LIKE="rhel fedora"', 'VERSION_ID="7"',
    'PRETTY_NAME="CentOS Linux 7 (Core)"', 'ANSI_COLOR="0;31"', 'CPE_NAME="cpe:/o:centos:centos:7"',
    'HOME_URL="https://www.centos.org/"', 'BUG_REPORT_URL="https://bugs.centos.org/"',
  ]),
  debian: lines([
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', 'NAME="Debian GNU/Linux"', 'VERSION_ID="12"',
    'VERSION="12 (bookworm)"', 'VERSION_CODENAME=bookworm', 'ID=debian', 'HOME_URL="https://www.debian.org/"',
    'SUPPORT_URL="https://www.debian.org/support"', 'BUG_REPORT_URL="https://bugs.debian.org/"',
  ]),
  ubuntu: lines([
    'PRETTY_NAME="Ubuntu 24.04 LTS"', 'NAME="Ubuntu"', 'VERSION_ID="24.04"', 'VERSION="24.04 LTS (Noble Numbat)"',
    'VERSION_CODENAME=noble', 'ID=ubuntu', 'ID_LIKE=debian', 'HOME_URL="https://www.ubuntu.com/"',
    'UBUNTU_CODENAME=noble',
  ]),
} as const;

/** The nginx welcome page, as the official image serves it. */
export const NGINX_INDEX_HTML = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const NGINX_50X_HTML = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
`;

const NGINX_CONF = `user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    access_log  /var/log/nginx/access.log;
    sendfile        on;
    keepalive_timeout  65;
    include /etc/nginx/conf.d/*.conf;
}
`;

const NGINX_DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

/** The entries the nginx image adds on top of its Debian base. */
export function nginxLayerEntries(): RootfsEntrySpec[] {
  return [
    { type: 'directory', path: '/etc/nginx' },
    { type: 'directory', path: '/etc/nginx/conf.d' },
    { type: 'file', path: '/etc/nginx/nginx.conf', content: NGINX_CONF },
    { type: 'file', path: '/etc/nginx/conf.d/default.conf', content: NGINX_DEFAULT_CONF },
    { type: 'file', path: '/etc/nginx/mime.types', content: 'types {\n    text/html html htm shtml;\n    text/css css;\n    application/javascript js;\n}\n' },
    { type: 'file', path: '/etc/passwd', content: lines([...PASSWD.map((r) => (r.startsWith('root:') ? 'root:x:0:0:root:/root:/bin/bash' : r)), 'nginx:x:101:101:nginx user:/nonexistent:/bin/false']) },
    { type: 'file', path: '/etc/group', content: lines([...GROUP, 'nginx:x:101:']) },
    { type: 'file', path: '/usr/sbin/nginx', content: BUSYBOX_CONTENT, mode: 0o755 },
    { type: 'directory', path: '/usr/share/nginx' },
    { type: 'directory', path: '/usr/share/nginx/html' },
    { type: 'file', path: '/usr/share/nginx/html/index.html', content: NGINX_INDEX_HTML },
    { type: 'file', path: '/usr/share/nginx/html/50x.html', content: NGINX_50X_HTML },
    { type: 'directory', path: '/var/cache/nginx' },
    { type: 'directory', path: '/var/log/nginx' },
  ];
}
