// How long each protocol of a lab takes to settle, from the model's timers: one home for the
// bounds up.sh waits with (READY_TIMEOUT) and the checks wait with (*_SETTLE).
import type { LabModel } from '../3-resolve/model.js';

/** STP from scratch: max age to forget a root path, then listening and learning (worst domain). */
export function stpSeconds(model: LabModel): number {
  return Math.max(0, ...model.l2domains.map((d) => (d.stp ? d.stp.maxAge + 2 * d.stp.forwardDelay : 0)));
}

/** A VRRP election: the master-down interval, then the gratuitous ARP delay (worst group). */
export function vrrpSeconds(model: LabModel): number {
  return Math.max(0, ...model.vrrp.map((g) => g.masterDownInterval + g.garpMasterDelay));
}

/** haproxy marks a server UP or DOWN: fall+rise checks, the last one timing out (worst service). */
export function haproxySeconds(model: LabModel): number {
  return Math.max(0, ...model.services.map((s) => (s.check.interMs * (s.check.fall + s.check.rise) + s.timeouts.checkMs) / 1000));
}

/** A neighbour whose ARP entry points at a stale bridge port is asked again once the entry goes
 *  stale and is probed: Linux's base_reachable_time (30 s) times up to 1.5, plus delay_first_probe
 *  (5 s). A student's bridge keeps the kernel's 300 s MAC ageing (a generated one ages with STP's
 *  forward delay), so after a topology change only that new ARP request re-teaches the bridges. */
export const ARP_RESOLVE_SECONDS = 50;

/** Generous ceilings, never speed targets: multiples of the settle times plus a margin. */
export function settleBounds(model: LabModel): { ready: number; stp: number; vrrp: number; haproxy: number; reach: number } {
  return {
    // up.sh: a full STP convergence, a VRRP election and haproxy's rise, twice over.
    ready: Math.ceil(2 * (stpSeconds(model) + vrrpSeconds(model) + haproxySeconds(model)) + 30),
    stp: Math.ceil(2 * stpSeconds(model) + 10),
    vrrp: Math.ceil(3 * vrrpSeconds(model) + 10),
    haproxy: Math.ceil(3 * haproxySeconds(model) + 10),
    // The client reaching an address on its LAN: STP settled, then at worst one ARP re-resolution.
    reach: Math.ceil(2 * stpSeconds(model) + ARP_RESOLVE_SECONDS + 10),
  };
}
