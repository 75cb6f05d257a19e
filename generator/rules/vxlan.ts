// Which address of a VM carries a VXLAN member's tunnel. Validation (2-validate/topology.ts) and
// resolution (3-resolve/resolve.ts: the underlay MTU and the segment's devices) both ask this; they
// call this one function with the VM's addresses in the same order (its bridges' addresses in
// bridge order, then its cable ends' in cable order).

export interface UnderlayCandidate {
  /** The address without prefix, e.g. "10.1.0.1". */
  ip: string;
  /** The subnet it belongs to: the one it names, or the declared one that contains it. */
  subnet: string | undefined;
}

/**
 * The member's own "local" address if it sets one; otherwise the VM's first address in the
 * segment's underlay subnet; a segment that names no underlay takes the VM's first address.
 */
export function chooseUnderlay<T extends UnderlayCandidate>(addresses: readonly T[], member: { local?: string }, underlay: string | undefined): T | undefined {
  if (member.local !== undefined) return addresses.find((a) => a.ip === member.local);
  if (underlay !== undefined) return addresses.find((a) => a.subnet === underlay);
  return addresses[0];
}
