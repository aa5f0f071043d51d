/**
 * The firewall rules our bridges need, in two chains of our own per root, rewritten whole from
 * the network records (one `iptables-restore --noflush`), so they can never drift from the
 * records and removing a network or reconciling is the same single step.
 *
 * Why rules at all: with `br_netfilter` loaded (Docker loads it) bridged frames traverse the
 * FORWARD chain, and Docker sets its policy to DROP, so without an ACCEPT two containers on
 * one of our bridges cannot even ping each other. Why our own chains rather than the CNI
 * firewall plugin: that plugin's chain (`CNI-FORWARD`) is shared by every CNI user on the
 * host and its rules are per container address; ours are per bridge (nothing to do per
 * container), live in chains only we create (`STW-FWD-<root tag>`, `STW-NAT-<root tag>`,
 * each reached by one jump we add), and say Docker's rules: a network reaches itself and the
 * outside but not other Stowage networks; an internal one reaches only itself; outgoing
 * traffic of a non-internal network is masqueraded, one rule per network as for docker0.
 *
 * @module
 */
import { runHostCommand } from './host-command.js';

/** A network as the firewall sees it. */
export interface FirewallNetwork {
  /** Bridge device. */
  bridge: string;
  /** IPv4 CIDR. */
  subnet: string;
  /** Reaches only itself. */
  internal: boolean;
}

/** The chains of one root. */
export function chainNames(tag: string): { filter: string; nat: string } {
  return { filter: `STW-FWD-${tag}`, nat: `STW-NAT-${tag}` };
}

/** The iptables-restore input that rewrites both chains for `networks`. */
export function firewallRules(tag: string, networks: readonly FirewallNetwork[]): string {
  const { filter, nat } = chainNames(tag);
  const f = [`*filter`, `:${filter} - [0:0]`];
  const n = [`*nat`, `:${nat} - [0:0]`];
  for (const net of networks) {
    const br = net.bridge;
    f.push(`-A ${filter} -i ${br} -o ${br} -j ACCEPT`);
    if (net.internal) {
      f.push(`-A ${filter} -i ${br} -j DROP`, `-A ${filter} -o ${br} -j DROP`);
      continue;
    }
    // Every Stowage bridge matches stw-+: networks are isolated from each other, as Docker's are.
    f.push(
      `-A ${filter} -i ${br} -o stw-+ -j DROP`,
      `-A ${filter} -i ${br} -j ACCEPT`,
      `-A ${filter} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    );
    n.push(`-A ${nat} -s ${net.subnet} ! -o ${br} -j MASQUERADE`);
  }
  return `${[...f, 'COMMIT', ...n, 'COMMIT'].join('\n')}\n`;
}

/** The jump rules into our chains, as `iptables` arguments after the table. */
function jumps(tag: string): Array<{ table: string; chain: string; rule: string[] }> {
  const { filter, nat } = chainNames(tag);
  const comment = ['-m', 'comment', '--comment', `stowage ${tag}`];
  return [
    { table: 'filter', chain: 'FORWARD', rule: [...comment, '-j', filter] },
    { table: 'nat', chain: 'POSTROUTING', rule: [...comment, '-j', nat] },
  ];
}

async function hasRule(table: string, chain: string, rule: string[], signal?: AbortSignal): Promise<boolean> {
  return runHostCommand('iptables', ['-w', '-t', table, '-C', chain, ...rule], { signal }).then(() => true, () => false);
}

/** Rewrites our chains for `networks` and makes sure the jumps into them exist. */
export async function syncFirewall(tag: string, networks: readonly FirewallNetwork[], signal?: AbortSignal): Promise<void> {
  if (networks.length === 0) {
    await removeFirewall(tag, signal);
    return;
  }
  await runHostCommand('iptables-restore', ['-w', '5', '--noflush'], { input: firewallRules(tag, networks), signal });
  for (const jump of jumps(tag)) {
    if (await hasRule(jump.table, jump.chain, jump.rule, signal)) continue;
    // First in FORWARD: Docker's own rules further down end in its DROP policy.
    const where = jump.chain === 'FORWARD' ? ['-I', jump.chain, '1'] : ['-A', jump.chain];
    await runHostCommand('iptables', ['-w', '-t', jump.table, ...where, ...jump.rule], { signal });
  }
}

/** Removes our jumps and chains (idempotent); touches nothing else. */
export async function removeFirewall(tag: string, signal?: AbortSignal): Promise<void> {
  const { filter, nat } = chainNames(tag);
  for (const jump of jumps(tag)) {
    while (await hasRule(jump.table, jump.chain, jump.rule, signal)) {
      await runHostCommand('iptables', ['-w', '-t', jump.table, '-D', jump.chain, ...jump.rule], { signal });
    }
  }
  for (const [table, chain] of [['filter', filter], ['nat', nat]] as const) {
    const exists = await runHostCommand('iptables', ['-w', '-t', table, '-S', chain], { signal }).then(() => true, () => false);
    if (!exists) continue;
    await runHostCommand('iptables', ['-w', '-t', table, '-F', chain], { signal });
    await runHostCommand('iptables', ['-w', '-t', table, '-X', chain], { signal });
  }
}

/** The lines of our chains as `iptables -S` prints them (empty when absent), for tests and audits. */
export async function listFirewall(tag: string, signal?: AbortSignal): Promise<string[]> {
  const { filter, nat } = chainNames(tag);
  const out: string[] = [];
  for (const [table, chain] of [['filter', filter], ['nat', nat]] as const) {
    const text = await runHostCommand('iptables', ['-w', '-t', table, '-S', chain], { signal }).catch(() => '');
    out.push(...text.split('\n').filter((l) => l.trim() !== ''));
  }
  return out;
}
