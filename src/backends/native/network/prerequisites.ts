/**
 * What the network half needs of a host, so that opening the native backend can name what is
 * missing (BackendUnavailableError) instead of failing at the first container.
 *
 * @module
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** One missing part. */
export interface MissingNetworkPart {
  /** The tool or plugin. */
  what: string;
  /** Why it matters and how to get it. */
  message: string;
}

const TOOLS: Array<[string, string]> = [
  ['ip', 'iproute2'],
  ['iptables', 'iptables'],
  ['iptables-restore', 'iptables'],
  ['unshare', 'util-linux'],
  ['mount', 'mount'],
  ['umount', 'mount'],
];

const PLUGINS = ['bridge', 'host-local', 'loopback'];

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}

/** Lists the tools and CNI plugins this host lacks for container networking (empty when none). */
export async function missingNetworkParts(cniPath = '/usr/lib/cni', path = process.env.PATH ?? ''): Promise<MissingNetworkPart[]> {
  const missing: MissingNetworkPart[] = [];
  const dirs = path.split(delimiter).filter(Boolean);
  for (const [tool, pkg] of TOOLS) {
    let found = false;
    for (const dir of dirs) if (!found && (await executable(join(dir, tool)))) found = true;
    if (!found) missing.push({ what: tool, message: `${tool} was not found on PATH (apt-get install ${pkg})` });
  }
  for (const plugin of PLUGINS) {
    if (!(await executable(join(cniPath, plugin)))) {
      missing.push({ what: `cni/${plugin}`, message: `the CNI plugin ${plugin} is not in ${cniPath} (apt-get install containernetworking-plugins)` });
    }
  }
  return missing;
}
