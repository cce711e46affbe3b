import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Server } from '../fleet/server-model.ts';

/**
 * Who may fetch a server's boot script (docs/OPERATIONS.md "Boot service: trust model"). The boot network is
 * the provider's; these checks narrow it further: `allowedNetworks` (CIDRs; empty allows any source) and,
 * with `requireServerIp`, only the server's own registered `ip`. The unknown-MAC script reveals nothing and
 * is served to anyone.
 */
export interface SourcePolicy {
  /** undefined when `sourceIp` may fetch `server`'s scripts, else the reason (shown on that console). */
  refusal(sourceIp: string, server: Pick<Server, 'ip'>): string | undefined;
}

export function createSourcePolicy(options: { allowedNetworks: readonly string[]; requireServerIp: boolean }): SourcePolicy {
  const allowed = new BlockList();
  for (const cidr of options.allowedNetworks) {
    const [network = '', bits = ''] = cidr.split('/');
    const prefix = Number(bits);
    const type = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
    if (type === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) {
      throw new Error(`boot.allowedNetworks: ${cidr} is not a CIDR such as 10.20.0.0/16`);
    }
    allowed.addSubnet(network, prefix, type);
  }
  const restricted = options.allowedNetworks.length > 0;
  return {
    refusal(sourceIp, server) {
      const ip = unmapped(sourceIp);
      if (restricted && !allowed.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4')) {
        return `requests from ${ip} may not fetch boot scripts (boot.allowedNetworks)`;
      }
      if (options.requireServerIp && (server.ip === null || unmapped(server.ip) !== ip)) {
        return `requests from ${ip} may not fetch this server's boot script: only its registered ip may (boot.requireServerIp)`;
      }
      return undefined;
    },
  };
}

/** `::ffff:10.0.0.7` (IPv4 on a dual-stack socket) → `10.0.0.7`. */
function unmapped(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}
