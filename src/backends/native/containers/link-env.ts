/**
 * Docker's legacy link variables (`--link web:db` gives `DB_PORT=tcp://10.0.0.2:5432`,
 * `DB_PORT_5432_TCP_ADDR=...`, `DB_NAME=/app/db`, `DB_ENV_<VAR>=...`), from moby's
 * daemon/links: ports sorted TCP first then by number, a block per port, `_START`/`_END`
 * variables for runs of consecutive ports, the linked container's env except HOME and PATH.
 *
 * (Interim: the shared link-env of src/local-engine replaces this when it lands.)
 *
 * @module
 */

interface Port {
  num: number;
  proto: string;
}

function parse(spec: string): Port | undefined {
  const [num, proto = 'tcp'] = spec.split('/');
  const n = Number(num);
  return Number.isInteger(n) && n > 0 && n <= 65535 ? { num: n, proto: proto.toLowerCase() } : undefined;
}

/** The variables of one link. */
export function linkEnv(link: { parentName: string; alias: string; ip: string; exposedPorts: readonly string[]; env: readonly string[] }): string[] {
  const alias = link.alias.toUpperCase().replaceAll('-', '_');
  const ports = link.exposedPorts.map(parse).filter((p): p is Port => p !== undefined).sort((a, b) => {
    if (a.proto !== b.proto) return a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto.localeCompare(b.proto);
    return a.num - b.num;
  });
  const out: string[] = [];
  const url = (p: Port) => `${p.proto}://${link.ip}:${p.num}`;
  let start: Port | undefined;
  let end: Port | undefined;
  ports.forEach((p, i) => {
    if (i === 0) {
      start = end = p;
      out.push(`${alias}_PORT=${url(p)}`);
    }
    const prefix = `${alias}_PORT_${p.num}_${p.proto.toUpperCase()}`;
    out.push(`${prefix}=${url(p)}`, `${prefix}_ADDR=${link.ip}`, `${prefix}_PORT=${p.num}`, `${prefix}_PROTO=${p.proto}`);
    if (end && p.num === end.num + 1 && p.proto === end.proto) {
      end = p;
      if (i < ports.length - 1) return;
    }
    if (start && end && (start.num !== end.num || start.proto !== end.proto)) {
      const range = `${alias}_PORT_${start.num}_${start.proto.toUpperCase()}`;
      out.push(`${range}_START=${url(start)}`, `${range}_PORT_START=${start.num}`, `${range}_END=${url(end)}`, `${range}_PORT_END=${end.num}`);
    }
    start = end = p;
  });
  out.push(`${alias}_NAME=/${link.parentName}/${link.alias}`);
  for (const entry of link.env) {
    const eq = entry.indexOf('=');
    if (eq === -1) continue;
    const name = entry.slice(0, eq);
    if (name === 'HOME' || name === 'PATH') continue;
    out.push(`${alias}_ENV_${name}=${entry.slice(eq + 1)}`);
  }
  return out;
}
