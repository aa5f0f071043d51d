/**
 * Static HTTP servers: busybox `httpd` and `nginx`, both listening through `ctx.net.listen`.
 *
 * node:http's server does the HTTP work; each virtual connection (a Duplex) is handed to it
 * with `server.emit('connection', socket)`. Files are read per request from the container's
 * filesystem, so a file written after the server started is served.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { ProgramContext } from '../../program.js';
import { complain, resolvePath, signalStatus } from '../io.js';

const TYPES: Record<string, string> = {
  html: 'text/html', htm: 'text/html', txt: 'text/plain', css: 'text/css', js: 'application/javascript',
  mjs: 'application/javascript', json: 'application/json', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  gif: 'image/gif', svg: 'image/svg+xml', ico: 'image/x-icon', xml: 'application/xml', pdf: 'application/pdf',
  wasm: 'application/wasm', webp: 'image/webp', mp4: 'video/mp4', gz: 'application/gzip', tar: 'application/x-tar',
  zip: 'application/zip', md: 'text/markdown', csv: 'text/csv', sh: 'application/x-sh',
};

/** The Content-Type for a file name, by extension. */
export function contentType(name: string): string {
  const ext = posix.extname(name).slice(1).toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}

/** How a server flavour words its responses. */
interface Flavour {
  server: string;
  notFound: string;
  forbidden: string;
  textType: (type: string) => string;
}

const BUSYBOX: Flavour = {
  server: 'busybox httpd/1.36.1',
  notFound: '<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\nThe requested URL was not found\n</BODY></HTML>\n',
  forbidden: '<HTML><HEAD><TITLE>403 Forbidden</TITLE></HEAD>\n<BODY><H1>403 Forbidden</H1>\nThe requested URL is forbidden\n</BODY></HTML>\n',
  textType: (t) => t,
};

const NGINX: Flavour = {
  server: 'nginx/1.25.3',
  notFound: '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n',
  forbidden: '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n',
  textType: (t) => t,
};

async function handle(ctx: ProgramContext, root: string, flavour: Flavour, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('Server', flavour.server);
  res.setHeader('Date', new Date().toUTCString());
  const send = (status: number, body: string, type = 'text/html'): void => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, '<HTML><HEAD><TITLE>405 Method Not Allowed</TITLE></HEAD></HTML>\n');
    return;
  }
  let urlPath: string;
  try {
    urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]!);
  } catch {
    send(400, '<HTML><HEAD><TITLE>400 Bad Request</TITLE></HEAD></HTML>\n');
    return;
  }
  // normalize keeps `..` from climbing above the document root.
  const rel = posix.normalize(`/${urlPath}`);
  let path = posix.join(root, rel);
  try {
    let st = await ctx.fs.stat(path);
    if (st.isDirectory()) {
      if (!urlPath.endsWith('/')) {
        res.writeHead(301, { Location: `${urlPath}/`, 'Content-Length': 0 });
        res.end();
        return;
      }
      path = posix.join(path, 'index.html');
      st = await ctx.fs.stat(path);
    }
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    const body = await ctx.fs.readFile(path);
    res.writeHead(200, {
      'Content-Type': flavour.textType(contentType(path)),
      'Content-Length': body.length,
      'Last-Modified': st.mtime.toUTCString(),
      'Accept-Ranges': 'bytes',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EACCES') send(403, flavour.forbidden);
    else send(404, flavour.notFound);
  }
}

/** Serves `root` on `port` until the signal fires (foreground) or returns once listening. */
async function serve(ctx: ProgramContext, port: number, root: string, flavour: Flavour, foreground: boolean): Promise<number> {
  const server = createServer((req, res) => {
    handle(ctx, root, flavour, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  try {
    await ctx.net.listen(port, (socket) => server.emit('connection', socket));
  } catch (e) {
    await complain(ctx, `bind: ${(e as Error).message}`);
    return 1;
  }
  if (!foreground) return 0;
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  server.close();
  server.closeAllConnections();
  return flavour === NGINX ? 0 : signalStatus(ctx.signal);
}

/** `httpd [-f] [-v] [-p [IP:]PORT] [-h HOME]`: without `-f` it returns once listening, as busybox daemonizes. */
export async function httpd(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let foreground = false;
  let port = 80;
  let home = '.';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^-[fvi]+$/.test(a)) {
      if (a.includes('f')) foreground = true;
    } else if (a === '-p') {
      const v = args[++i] ?? '';
      port = Number(v.includes(':') ? v.slice(v.lastIndexOf(':') + 1) : v);
    } else if (a === '-h') home = args[++i] ?? '.';
    else if (a === '-c' || a === '-r' || a === '-u') i++;
    else {
      await complain(ctx, `invalid option -- '${a.replace(/^-/, '')}'`);
      return 1;
    }
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    await complain(ctx, `invalid port`);
    return 1;
  }
  return serve(ctx, port, resolvePath(ctx.cwd, home), BUSYBOX, foreground);
}

/** `nginx [-g 'daemon off;'] [-v] [-t]`: serves /usr/share/nginx/html on port 80 in the foreground. */
export async function nginx(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  if (args.includes('-v') || args.includes('-V')) {
    await complain(ctx, 'nginx version: nginx/1.25.3');
    return 0;
  }
  if (args.includes('-t')) {
    await complain(ctx, 'the configuration file /etc/nginx/nginx.conf syntax is ok');
    await complain(ctx, 'configuration file /etc/nginx/nginx.conf test is successful');
    return 0;
  }
  const g = args[args.indexOf('-g') + 1] ?? '';
  const foreground = !(args.includes('-g') && /daemon\s+on\s*;/.test(g));
  return serve(ctx, 80, '/usr/share/nginx/html', NGINX, foreground);
}
