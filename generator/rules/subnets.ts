// Which declared subnet an address lies in, for validation and resolution alike. IPv4 blocks are
// either nested or disjoint, so the subnets holding an address are found by looking up its 33
// possible blocks (/0 .. /32), not by scanning every subnet for every address (quadratic in a lab
// of thousands of subnets and addresses).
import { networkOf } from '../lib/ipv4.js';

export interface SubnetEntry {
  name: string;
  network: number;
  prefix: number;
}

const blockKey = (network: number, prefix: number) => `${network}/${prefix}`;

export class SubnetIndex<T extends SubnetEntry = SubnetEntry> {
  /** Subnets of each exact block, in declaration order. */
  private readonly exact = new Map<string, { order: number; subnet: T }[]>();

  constructor(readonly subnets: readonly T[]) {
    subnets.forEach((subnet, order) => {
      const key = blockKey(subnet.network, subnet.prefix);
      const list = this.exact.get(key);
      if (list) list.push({ order, subnet });
      else this.exact.set(key, [{ order, subnet }]);
    });
  }

  /** Every subnet that contains `ip`, in declaration order. */
  containing(ip: number): T[] {
    const found: { order: number; subnet: T }[] = [];
    for (let prefix = 0; prefix <= 32; prefix++) {
      const list = this.exact.get(blockKey(networkOf(ip, prefix), prefix));
      if (list) found.push(...list);
    }
    return found.sort((a, b) => a.order - b.order).map((f) => f.subnet);
  }

  /** The first declared subnet that contains `ip` (with this prefix, if given). */
  firstContaining(ip: number, prefix?: number): T | undefined {
    if (prefix !== undefined) return this.exact.get(blockKey(networkOf(ip, prefix), prefix))?.[0]?.subnet;
    let best: { order: number; subnet: T } | undefined;
    for (let p = 0; p <= 32; p++) {
      const first = this.exact.get(blockKey(networkOf(ip, p), p))?.[0];
      if (first && (!best || first.order < best.order)) best = first;
    }
    return best?.subnet;
  }

  /**
   * For each subnet, the first subnet declared before it that overlaps it (contains it, lies in it
   * or is the same block), or undefined. One pass in declaration order, ~33 map operations each.
   */
  firstEarlierOverlaps(): (T | undefined)[] {
    const seenExact = new Map<string, number>();
    /** Block -> first subnet seen strictly inside it. */
    const seenInside = new Map<string, number>();
    return this.subnets.map((s, order) => {
      let best: number | undefined;
      const take = (o: number | undefined) => {
        if (o !== undefined && (best === undefined || o < best)) best = o;
      };
      for (let p = 0; p <= s.prefix; p++) take(seenExact.get(blockKey(networkOf(s.network, p), p)));
      take(seenInside.get(blockKey(s.network, s.prefix)));
      const own = blockKey(s.network, s.prefix);
      if (!seenExact.has(own)) seenExact.set(own, order);
      for (let p = 0; p < s.prefix; p++) {
        const key = blockKey(networkOf(s.network, p), p);
        if (!seenInside.has(key)) seenInside.set(key, order);
      }
      return best === undefined ? undefined : this.subnets[best];
    });
  }
}
