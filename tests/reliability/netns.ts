import { execFileSync } from 'node:child_process';

/**
 * Two nodes, each in its own Linux network namespace, joined by one veth link that the test cuts
 * and restores (issue 17, reliability: "each node in its own network namespace, the link cut and
 * restored"). Each namespace also has a veth to the test's own namespace so that the test reaches
 * both nodes while their link is down; IPv4 forwarding stays as it is (off), so the test's
 * namespace never routes between the two and the cut is a real partition. Needs root (CAP_NET_ADMIN).
 */
export interface FederationNetwork {
  /** Namespace names to run each node in. */
  readonly ns: { readonly r: string; readonly a: string };
  /** Addresses the test uses to reach each node. */
  readonly fromTest: { readonly r: string; readonly a: string };
  /** The test's own addresses on its line to each node (a node reaches the test's namespace there). */
  readonly toTest: { readonly r: string; readonly a: string };
  /** Addresses the nodes use to reach each other over their link (R's view of A, A's view of R). */
  readonly onLink: { readonly r: string; readonly a: string };
  cut(): void;
  restore(): void;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Networks made by this process so far: each gets names and subnets of its own. */
let made = 0;

export function createFederationNetwork(): FederationNetwork {
  // Names and subnets from the pid and this process's count: the suite makes one network per
  // dialect in one process, and the kernel removes a deleted namespace's veths asynchronously, so
  // the second network must not reuse the first's names ("File exists") or addresses. Device
  // names stay within the kernel's 15 characters (cf + 5 digits + 1 + 2).
  const seq = made++;
  const tag = `${process.pid % 100_000}${seq % 10}`;
  // Three /30 subnets in 10.213.0.0/16: 63 blocks of four, picked from the pid and the count so
  // that two runs (or two files run side by side) do not collide.
  const block = ((process.pid * 2 + seq) % 63) * 4;
  const net = (k: number, host: 1 | 2) => `10.213.${block + k}.${host}`;
  const ns = { r: `custos-fr-${tag}`, a: `custos-fa-${tag}` };
  const dev = {
    ra: `cf${tag}ra`,
    ar: `cf${tag}ar`,
    hr: `cf${tag}hr`,
    rh: `cf${tag}rh`,
    ha: `cf${tag}ha`,
    ah: `cf${tag}ah`,
  };
  const destroy = () => {
    for (const n of [ns.r, ns.a]) {
      try {
        ip('netns', 'del', n);
      } catch {
        // not made (setup failed before it) or already gone
      }
    }
  };
  try {
    ip('netns', 'add', ns.r);
    ip('netns', 'add', ns.a);
    for (const n of [ns.r, ns.a]) ip('-n', n, 'link', 'set', 'lo', 'up');
    // The link between the nodes.
    ip('link', 'add', dev.ra, 'type', 'veth', 'peer', 'name', dev.ar);
    ip('link', 'set', dev.ra, 'netns', ns.r);
    ip('link', 'set', dev.ar, 'netns', ns.a);
    ip('-n', ns.r, 'addr', 'add', `${net(0, 1)}/30`, 'dev', dev.ra);
    ip('-n', ns.a, 'addr', 'add', `${net(0, 2)}/30`, 'dev', dev.ar);
    ip('-n', ns.r, 'link', 'set', dev.ra, 'up');
    ip('-n', ns.a, 'link', 'set', dev.ar, 'up');
    // The test's own line to each node.
    for (const [k, n, here, there] of [
      [1, ns.r, dev.hr, dev.rh],
      [2, ns.a, dev.ha, dev.ah],
    ] as const) {
      ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there);
      ip('link', 'set', there, 'netns', n);
      ip('addr', 'add', `${net(k, 1)}/30`, 'dev', here);
      ip('link', 'set', here, 'up');
      ip('-n', n, 'addr', 'add', `${net(k, 2)}/30`, 'dev', there);
      ip('-n', n, 'link', 'set', there, 'up');
    }
  } catch (err) {
    destroy();
    throw err;
  }
  const link = (state: 'up' | 'down') => {
    ip('-n', ns.r, 'link', 'set', dev.ra, state);
    ip('-n', ns.a, 'link', 'set', dev.ar, state);
  };
  return {
    ns,
    fromTest: { r: net(1, 2), a: net(2, 2) },
    toTest: { r: net(1, 1), a: net(2, 1) },
    onLink: { r: net(0, 1), a: net(0, 2) },
    cut: () => link('down'),
    restore: () => link('up'),
    destroy,
  };
}
