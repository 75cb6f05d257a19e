// What the checkpoints and the fault matrix expect, as bash assignments (emulate/checks/expect.sh),
// with each fault's theoretical client-observed outage bound computed from the model's timers.
import type { LabModel } from '../3-resolve/model.js';
import { clientVm } from './emulate-data.js';
import { htmlText, shellQuote as q } from './escape.js';
import { byName, positionByName } from '../lib/by-name.js';

function array(name: string, rows: string[]): string {
  return rows.length ? `${name}=(\n${rows.map((r) => `  ${q(r)}`).join('\n')}\n)` : `${name}=()`;
}

const seconds = (s: number) => String(Math.round(s * 100) / 100);

interface InterSwitchCable {
  cable: string;
  a: { vm: string; nic: string };
  b: { vm: string; nic: string };
  onTree: boolean;
  domain: string;
}

/** Cables whose two ends are ports of bridges with STP: the ones whose loss STP must repair. */
export function interSwitchCables(model: LabModel): InterSwitchCable[] {
  const out: InterSwitchCable[] = [];
  for (const vm of model.vms) {
    for (const nic of vm.nics) {
      const peerVm = byName(model.vms, nic.peer.vm);
      const peer = peerVm?.nics.find((n) => n.cable === nic.cable);
      if (!peerVm || !peer || positionByName(model.vms, peerVm.name) < positionByName(model.vms, vm.name)) continue;
      const portOf = (v: typeof vm, n: typeof nic) => v.bridges.find((b) => b.name === n.bridge && b.stp)?.ports.find((p) => p.ifname === n.guestName);
      const pa = portOf(vm, nic);
      const pb = portOf(peerVm, peer);
      if (!pa || !pb) continue;
      out.push({ cable: nic.cable, a: { vm: vm.name, nic: nic.guestName }, b: { vm: peerVm.name, nic: peer.guestName }, onTree: pa.role !== 'blocked' && pb.role !== 'blocked', domain: nic.l2domain });
    }
  }
  return out;
}

/** "vm:ifname" of every VXLAN device of a segment. */
function vxlanDevices(model: LabModel, segment: string): string[] {
  return model.vms.flatMap((v) => v.vxlans.filter((x) => x.segment === segment).map((x) => `${v.name}:${x.ifname}`));
}

export function checksData(model: LabModel): string {
  const client = clientVm(model);
  const clientDomain = model.vms.find((v) => v.name === client)?.nics.find((n) => n.address)?.l2domain;
  const domain = model.l2domains.find((d) => d.id === clientDomain);
  const extAddrs = [...(domain?.endpoints ?? []).filter((e) => e.address && e.node !== client).map((e) => e.address?.ip as string), ...model.vrrp.filter((g) => g.l2domain === clientDomain).flatMap((g) => g.addresses)];
  const stp = (id: string) => model.l2domains.find((d) => d.id === id)?.stp;

  const faults: string[] = [];
  for (const c of interSwitchCables(model)) {
    const t = stp(c.domain);
    const bound = c.onTree && t ? t.maxAge + 2 * t.forwardDelay : 0;
    faults.push(`cable ${c.cable} ${seconds(bound)} ${c.a.vm} ${c.a.nic} ${c.b.vm} ${c.b.nic}`);
  }
  for (const g of model.vrrp) {
    for (const m of g.members) {
      const c = byName(model.containers, m.container);
      const hostIf = c?.nics.find((n) => n.name === m.nic)?.hostName ?? '';
      const bound = m.container === g.expectedMaster ? g.masterDownInterval : 0;
      faults.push(`ext-link ${m.container} ${seconds(bound)} ${g.name} ${m.vm} ${hostIf}`);
    }
  }
  for (const g of model.vrrp) {
    for (const m of g.members) faults.push(`keepalived ${m.container} ${seconds(m.container === g.expectedMaster ? g.masterDownInterval : 0)} ${g.name}`);
  }
  for (const c of model.containers.filter((x) => x.role === 'web')) {
    const svc = model.services.filter((s) => s.backends.some((b) => b.container === c.name));
    const bound = Math.max(0, ...svc.map((s) => (s.check.interMs * s.check.fall) / 1000));
    faults.push(`web ${c.name} ${seconds(bound)}`);
  }
  for (const seg of model.vxlan) {
    const svcBound = Math.max(0, ...model.services.map((s) => (s.check.interMs * s.check.fall + s.timeouts.checkMs) / 1000));
    faults.push(`vxlan ${seg.name} ${seconds(svcBound)} ${vxlanDevices(model, seg.name).join(' ')}`);
  }

  const servers = [...new Map(model.services.flatMap((s) => s.backends.map((b) => [b.container, `${b.container} ${b.address} ${b.port}`] as const))).values()];
  const maxFd = Math.max(0, ...model.l2domains.map((d) => d.stp?.forwardDelay ?? 0));
  const maxAge = Math.max(0, ...model.l2domains.map((d) => d.stp?.maxAge ?? 0));
  const lines = [
    `# Bounds used for waits: generous multiples of the model's timers, never a speed target.`,
    `STP_SETTLE=${Math.ceil(2 * (maxAge + 2 * maxFd) + 10)}`,
    `VRRP_SETTLE=${Math.ceil(3 * Math.max(0, ...model.vrrp.map((g) => g.masterDownInterval + g.garpMasterDelay)) + 10)}`,
    `HAPROXY_SETTLE=${Math.ceil(3 * Math.max(0, ...model.services.map((s) => (s.check.interMs * (s.check.fall + s.check.rise) + s.timeouts.checkMs) / 1000)) + 10)}`,
    '# root bridge id of every STP bridge: vm bridge expected-root-id',
    array('STP_ROOTS', model.vms.flatMap((v) => v.bridges.filter((b) => b.stp).map((b) => `${v.name} ${b.name} ${stp(b.l2domain)?.root.bridgeId ?? ''}`))),
    '# addresses the client must reach on its LAN',
    `EXT_ADDRS=(${extAddrs.map(q).join(' ')})`,
    '# cable vmA nicA vmB nicB on-tree(1|0)',
    array('INTER_SWITCH_CABLES', interSwitchCables(model).map((c) => `${c.cable} ${c.a.vm} ${c.a.nic} ${c.b.vm} ${c.b.nic} ${c.onTree ? 1 : 0}`)),
    '# group member vm host-side-veth-of-its-VRRP-NIC member-address',
    array('VRRP_LINKS', model.vrrp.flatMap((g) => g.members.map((m) => `${g.name} ${m.container} ${m.vm} ${byName(model.containers, m.container)?.nics.find((n) => n.name === m.nic)?.hostName ?? ''} ${m.address.ip}`))),
    '# group master-down-interval',
    array('VRRP_TIMING', model.vrrp.map((g) => `${g.name} ${seconds(g.masterDownInterval)}`)),
    '# service vip port',
    array('SERVICES', model.services.flatMap((s) => s.vips.map((v) => `${s.name} ${v} ${s.port}`))),
    '# balancer service source-address reachable... | reachable-without-tunnels...',
    array('BALANCER_VIEW', model.services.flatMap((s) => s.balancers.map((b) => `${b.container} ${s.name} ${b.sourceAddress} ${b.reachable.join(' ')} | ${b.reachableWithoutTunnels.join(' ')}`))),
    '# server address port',
    array('SERVERS', servers),
    '# heading each server\'s page shows (HTML-escaped, as the page prints it)',
    `declare -A HEADING=(${model.containers.filter((c) => c.pageHeading !== undefined).map((c) => `[${c.name}]=${q(htmlText(c.pageHeading as string))}`).join(' ')})`,
    '# segment vm:device...',
    array('VXLAN_DEVICES', model.vxlan.map((s) => `${s.name} ${vxlanDevices(model, s.name).join(' ')}`)),
    '# kind target bound-seconds args... (the fault matrix, one fault per line)',
    array('FAULTS', faults),
  ];
  return lines.join('\n') + '\n';
}
