// VRRP rules asked by validation (2-validate/addresses.ts) and resolution (3-resolve/resolve.ts).
import { inNetwork } from '../lib/ipv4.js';

export interface NicCandidate {
  name: string;
  /** Its address as network and prefix, if it has one. */
  address?: { network: number; prefix: number };
}

/**
 * The NIC a member runs VRRP on: the one it names with "nic"; otherwise its first NIC whose subnet
 * holds the group's first virtual address.
 */
export function chooseVrrpNic<T extends NicCandidate>(nics: readonly T[], named: string | undefined, firstVip: number | undefined): T | undefined {
  if (named !== undefined) return nics.find((n) => n.name === named);
  if (firstVip === undefined) return undefined;
  return nics.find((n) => n.address !== undefined && inNetwork(firstVip, n.address.network, n.address.prefix));
}

export interface VrrpCandidate {
  priority: number;
  /** The member's own address on the group's NIC, as a number. */
  ip: number;
}

/**
 * VRRP's election (RFC 5798 6.4.1, keepalived alike): the higher priority wins; between equal
 * priorities, the higher primary address. Negative when `a` ranks before `b`.
 */
export function compareVrrpRank(a: VrrpCandidate, b: VrrpCandidate): number {
  return b.priority - a.priority || b.ip - a.ip;
}
