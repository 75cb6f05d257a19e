// The L2 graph as a whole: loops, provider NIC limits, interface names, backend reachability, VXLAN.
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { containerNicName, loopsThroughNonStpBridges, l2Components, vxlanIfname, type L2Graph } from '../lib/l2graph.js';
import { formatIp, inNetwork, parseIp } from '../lib/ipv4.js';
import type { LabSpec } from '../spec.js';
import type { SpecIndex } from './index.js';
import { DEFAULT_MTU, VXLAN_OVERHEAD } from '../3-resolve/defaults.js';
import { PROVIDERS } from '../providers/index.js';
import { VIRTUALBOX_PIIX3_MAX_NICS } from '../providers/virtualbox.js';
import { subnetOf } from './addresses.js';
import { chooseUnderlay } from '../rules/vxlan.js';


/** Cable ends landing on each VM: its lab NICs (one pass over the cables, not one per VM). */
export function labNicCounts(spec: LabSpec): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of spec.cables ?? []) for (const e of c.ends) counts.set(e.vm, (counts.get(e.vm) ?? 0) + 1);
  return counts;
}

export function checkTopology(spec: LabSpec, idx: SpecIndex, graph: L2Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const segmentName = (id: string) => {
    const [kind, name] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
    return kind === 'cable' ? `cable "${name}"` : kind === 'vxlan' ? `VXLAN segment "${name}"` : `the NIC of ${name}`;
  };
  for (const loop of loopsThroughNonStpBridges(graph)) {
    const br = graph.bridges.get(loop.bridge);
    if (!br) continue;
    out.push(error('loop-without-stp', br.pointer, `bridge "${br.bridge}" on "${br.vm}" is on an L2 loop (through ${loop.segments.map(segmentName).join(' and ')}) but has STP off`, 'a loop without STP floods broadcasts forever; set "stp": true on every bridge of the loop, or remove a cable or VXLAN segment'));
  }

  const nicCounts = labNicCounts(spec);
  spec.vms.forEach((vm, i) => {
    const n = nicCounts.get(vm.name) ?? 0;
    const tight = PROVIDERS.filter((p) => n > p.maxLabNics);
    if (tight.length) out.push(error('too-many-nics', `/vms/${i}`, `VM "${vm.name}" has ${n} cables; ${tight.map((p) => `${p.title} allows ${p.maxLabNics}`).join(', ')} lab NICs per VM`, `split its cables over two VMs (${tight.map((p) => p.nicLimitHint).join('; ')})`));
    else if (n + 1 > VIRTUALBOX_PIIX3_MAX_NICS) out.push(warning('ich9-chipset', `/vms/${i}`, `VM "${vm.name}" needs ${n + 1} VirtualBox adapters (NAT + ${n} cables); the ICH9 chipset is used (PIIX3 allows ${VIRTUALBOX_PIIX3_MAX_NICS})`, 'nothing to do; ICH9 is set in the Vagrantfile'));
  });

  // Interface names inside each VM: bridges, cable NICs, VXLAN devices, container veths.
  const ifnames = new Map<string, Map<string, string>>();
  const claim = (vm: string, name: string, pointer: string, what: string, shorten = 'shorten the names it is made of') => {
    const names = ifnames.get(vm) ?? new Map<string, string>();
    ifnames.set(vm, names);
    if (Buffer.byteLength(name) > 15) {
      out.push(error('ifname-too-long', pointer, `${what} would be named "${name}" in VM "${vm}", ${Buffer.byteLength(name)} bytes; Linux allows 15`, shorten));
      return;
    }
    const prev = names.get(name);
    if (prev !== undefined) out.push(error('ifname-collision', pointer, `${what} would be named "${name}" in VM "${vm}", which is already ${prev}`, 'rename one of them; container veths are named <container>-<nic>, VXLAN devices vx-<segment>'));
    else names.set(name, what);
  };
  spec.vms.forEach((vm, i) => (vm.bridges ?? []).forEach((br, j) => claim(vm.name, br.name, `/vms/${i}/bridges/${j}/name`, `bridge "${br.name}"`)));
  (spec.cables ?? []).forEach((c, i) => c.ends.forEach((e) => claim(e.vm, c.name, `/cables/${i}/name`, `the NIC of cable "${c.name}"`)));
  (spec.vxlan ?? []).forEach((s, i) => s.members.forEach((m) => claim(m.vm, vxlanIfname(s.name), `/vxlan/${i}/name`, `VXLAN device of "${s.name}"`, 'the VXLAN device is named vx-<segment>; shorten the segment name to at most 12 bytes')));
  (spec.containers ?? []).forEach((c, i) =>
    c.nics.forEach((nic, j) => {
      const nicName = containerNicName(nic, j);
      claim(c.vm, `${c.name}-${nicName}`, `/containers/${i}/nics/${j}`, `the veth of ${c.name}/${nicName}`, `the host side of a container NIC is named <container>-<nic>; shorten the container name "${c.name}" or the NIC name "${nicName}" so that both together take at most 14 bytes`);
    }),
  );

  // Backends each balancer reaches.
  const domains = l2Components(graph, { withTunnels: true });
  const nicDomainsMemo = new Map<string, { name: string; address: string | undefined; domain: string }[]>();
  const nicDomains = (container: string) => {
    let list = nicDomainsMemo.get(container);
    if (!list) {
      const c = idx.containers.get(container)?.container;
      list = (c?.nics ?? []).map((n, j) => ({ name: containerNicName(n, j), address: n.address, domain: domains.find(`cnic:${container}/${containerNicName(n, j)}`) }));
      nicDomainsMemo.set(container, list);
    }
    return list;
  };
  (spec.services ?? []).forEach((s, i) => {
    s.backends.forEach((b, k) => {
      if (!idx.containers.has(b.container)) return;
      const bn = nicDomains(b.container);
      if (!bn.some((n) => n.address)) {
        out.push(error('backend-without-address', `/services/${i}/backends/${k}`, `backend "${b.container}" has no address`, `give a NIC of ${b.container} (/containers/${idx.containers.get(b.container)?.index}/nics) an address on the balancers' internal LAN`));
        return;
      }
      for (const bal of s.balancers) {
        if (!idx.containers.has(bal)) continue;
        const reach = nicDomains(bal).some((x) => bn.some((y) => y.address && x.address && x.domain === y.domain));
        const expected = (b.expectUnreachableFrom ?? []).includes(bal);
        if (!reach && !expected) out.push(error('backend-unreachable', `/services/${i}/backends/${k}`, `balancer "${bal}" cannot reach backend "${b.container}": no L2 domain joins them`, `join their bridges (a cable or a VXLAN segment), or mark it expected with "expectUnreachableFrom": ["${bal}"]`));
        if (reach && expected) out.push(warning('backend-reachable-anyway', `/services/${i}/backends/${k}/expectUnreachableFrom`, `backend "${b.container}" is marked unreachable from "${bal}" but is reachable`, 'remove the mark'));
      }
    });
  });
  const ports = new Map<string, string>();
  (spec.services ?? []).forEach((s, i) =>
    s.balancers.forEach((bal) => {
      const key = `${bal}:${s.port}`;
      const other = ports.get(key);
      if (other !== undefined) out.push(error('port-in-use', `/services/${i}/port`, `port ${s.port} on "${bal}" is already used by service "${other}"`, 'give each service on a balancer its own port'));
      else ports.set(key, s.name);
    }),
  );

  // VXLAN: each member needs an underlay address, all of them on one L2 domain without tunnels.
  const plain = l2Components(graph, { withTunnels: false });
  (spec.vxlan ?? []).forEach((seg, i) => {
    const ends: { vm: string; l2: string; ip: string; mtu: number }[] = [];
    seg.members.forEach((m, k) => {
      const own = idx.vms.has(m.vm) ? (idx.addressesByNode.get(m.vm) ?? []) : [];
      const mine = own.filter((a) => a.parsed);
      const chosen = chooseUnderlay(
        mine.map((a) => ({ ip: formatIp((a.parsed as { ip: number }).ip), subnet: subnetOf(idx, a), a })),
        m,
        seg.underlay,
      )?.a;
      if (!chosen) {
        if (own.some((a) => !a.parsed)) return; // reported as bad-address
        if (m.local !== undefined) out.push(error('vxlan-local-not-on-vm', `/vxlan/${i}/members/${k}/local`, `${m.local} is not an address of VM "${m.vm}"`, `addresses of ${m.vm}: ${mine.map((a) => a.text).join(', ') || 'none'}`));
        else out.push(error('vxlan-no-underlay', `/vxlan/${i}/members/${k}`, `VM "${m.vm}" has no address${seg.underlay ? ` in subnet "${seg.underlay}"` : ''} to carry VXLAN`, 'give one of its bridges or NICs an address on the underlay, or set "local"'));
        return;
      }
      const br = idx.bridges.get(`${m.vm}/${chosen.ifname}`)?.bridge;
      ends.push({ vm: m.vm, l2: plain.find(chosen.l2node), ip: formatIp((chosen.parsed as { ip: number }).ip), mtu: br?.mtu ?? DEFAULT_MTU });
      const inner = idx.bridges.get(`${m.vm}/${m.bridge}`)?.bridge;
      if (inner?.mtu !== undefined && (seg.mtu ?? 'lower-inner') === 'lower-inner' && inner.mtu > (br?.mtu ?? DEFAULT_MTU) - VXLAN_OVERHEAD) {
        out.push(error('vxlan-mtu', `/vxlan/${i}/members/${k}`, `bridge "${m.bridge}" asks for MTU ${inner.mtu} but the underlay of ${m.vm} carries ${br?.mtu ?? DEFAULT_MTU} - ${VXLAN_OVERHEAD} = ${(br?.mtu ?? DEFAULT_MTU) - VXLAN_OVERHEAD}`, 'drop the inner "mtu" (it is lowered for you), or set "mtu": "raise-underlay" on the segment'));
      }
      if (inner?.mtu !== undefined && seg.mtu === 'raise-underlay' && br?.mtu !== undefined && br.mtu < inner.mtu + VXLAN_OVERHEAD) {
        out.push(error('vxlan-mtu', `/vxlan/${i}/members/${k}`, `the underlay bridge "${br.name}" has MTU ${br.mtu}, below ${inner.mtu} + ${VXLAN_OVERHEAD}`, `raise it to ${inner.mtu + VXLAN_OVERHEAD} or remove its "mtu"`));
      }
    });
    const first = ends[0];
    for (const e of ends.slice(1)) {
      if (first && e.l2 !== first.l2) out.push(error('vxlan-underlay-unreachable', `/vxlan/${i}/members`, `the underlay address of "${e.vm}" (${e.ip}) is not on the same LAN as that of "${first.vm}" (${first.ip})`, 'VXLAN endpoints must reach each other without the tunnel; connect their underlay bridges'));
      else if (first) {
        const pe = (idx.addressesByNode.get(e.vm) ?? []).find((x) => x.parsed && formatIp(x.parsed.ip) === e.ip)?.parsed;
        const ip = parseIp(first.ip);
        if (pe && ip !== undefined && !inNetwork(ip, pe.network, pe.prefix)) out.push(error('vxlan-underlay-unreachable', `/vxlan/${i}/members`, `underlay addresses ${first.ip} and ${e.ip} are in different subnets`, 'put every member\'s underlay address in one subnet'));
      }
    }
  });
  return out;
}
