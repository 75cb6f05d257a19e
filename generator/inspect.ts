// The resolved model as a person reads it.
import type { LabModel } from './3-resolve/model.js';

export function describeModel(m: LabModel): string {
  const lines: string[] = [];
  lines.push(`lab ${m.name}: ${m.title}`);
  lines.push(`  generator ${m.generatorVersion}, spec sha256 ${m.specHash}, provider ${m.provider}, language ${m.language}`);
  lines.push('');
  lines.push('VMs');
  for (const vm of m.vms) {
    lines.push(`  ${vm.name} (${vm.role}) box ${vm.box}${vm.boxVersion ? ' ' + vm.boxVersion : ''}, ${vm.memory} MiB, ${vm.cpus} cpu, chipset ${vm.providers.virtualbox.chipset}, NAT ${vm.nat ? 'kept as default route' : 'management only'}, namespace ${vm.namespace}`);
    lines.push(`    nic 1: Vagrant NAT`);
    for (const n of vm.nics) {
      lines.push(`    nic ${n.index + 1}: ${n.guestName} mac ${n.mac} intnet ${vm.providers.virtualbox.nics[n.index]?.intnet} -> ${n.peer.vm}${n.bridge ? `, port of ${n.bridge}` : ''}${n.address ? `, ${n.address.cidr}` : ''}, mtu ${n.mtu}${n.promiscuous ? ', promiscuous' : ''}`);
    }
    for (const b of vm.bridges) {
      lines.push(`    bridge ${b.name} mac ${b.mac} id ${b.bridgeId} stp ${b.stp ? `on (fd ${b.timers.forwardDelay}, hello ${b.timers.helloTime}, max age ${b.timers.maxAge})` : 'off'}${b.address ? `, ${b.address.cidr}` : ''}, mtu ${b.mtu}, domain ${b.l2domain}`);
      for (const p of b.ports) lines.push(`      port ${p.portNo} ${p.ifname} (${p.kind} ${p.link}) cost ${p.cost} prio ${p.priority}${p.role !== 'none' ? ` -> ${p.role}` : ''}`);
    }
    for (const x of vm.vxlans) lines.push(`    vxlan ${x.ifname} vni ${x.vni} port ${x.port} local ${x.local} (on ${x.underlayDevice}) remotes ${x.remotes.join(', ')} in ${x.bridge}, mtu ${x.mtu}`);
  }
  lines.push('');
  lines.push('Containers');
  for (const c of m.containers) {
    lines.push(`  ${c.name} on ${c.vm} (${c.role}) image ${c.image}, namespace ${c.namespace}`);
    for (const n of c.nics) lines.push(`    ${n.name} mac ${n.mac} veth ${n.hostName} on ${n.bridge}${n.address ? `, ${n.address.cidr}` : ''}, mtu ${n.mtu}`);
  }
  lines.push('');
  lines.push('L2 domains');
  for (const d of m.l2domains) {
    lines.push(`  ${d.id}: ${d.endpoints.map((e) => `${e.node}/${e.ifname}${e.address ? ` ${e.address.cidr}` : ''}`).join(', ')}`);
    if (d.stp) {
      lines.push(`    STP root ${d.stp.root.vm}/${d.stp.root.bridge} (${d.stp.root.bridgeId}); blocked: ${d.stp.blocked.map((b) => `${b.vm}/${b.bridge}/${b.port}`).join(', ') || 'none'}`);
    }
  }
  if (m.vrrp.length) {
    lines.push('');
    lines.push('VRRP');
    for (const g of m.vrrp) {
      lines.push(`  ${g.name} vrid ${g.vrid} advert ${g.advertInt}s vip ${g.addresses.join(', ')} preempt ${g.preempt}, expected master ${g.expectedMaster}, master-down ${g.masterDownInterval.toFixed(2)}s, garp delay ${g.garpMasterDelay}s`);
      for (const mm of g.members) lines.push(`    ${mm.container}/${mm.nic} ${mm.address.cidr} priority ${mm.priority}`);
    }
  }
  if (m.services.length) {
    lines.push('');
    lines.push('Services');
    for (const s of m.services) {
      lines.push(`  ${s.name} ${s.bind}:${s.port} ${s.algorithm}, check every ${s.check.interMs} ms rise ${s.check.rise} fall ${s.check.fall}, vips ${s.vips.join(', ') || 'none'}`);
      for (const b of s.backends) lines.push(`    backend ${b.container} ${b.address}:${b.port} weight ${b.weight}`);
      for (const b of s.balancers) lines.push(`    balancer ${b.container} (source ${b.sourceAddress}) reaches ${b.reachable.join(', ')}; without tunnels ${b.reachableWithoutTunnels.join(', ') || 'none'}`);
    }
  }
  if (m.vxlan.length) {
    lines.push('');
    lines.push('VXLAN');
    for (const s of m.vxlan) lines.push(`  ${s.name} vni ${s.vni} udp ${s.port} underlay ${s.underlaySubnet} (mtu ${s.underlayMtu}), inner mtu ${s.innerMtu}: ${s.members.map((x) => `${x.vm}/${x.bridge}@${x.local}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
