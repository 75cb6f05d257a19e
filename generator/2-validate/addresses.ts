// Addresses: well-formed, inside their subnet with its prefix, unique per subnet and L2 domain; VRRP.
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { broadcastOf, formatIp, inNetwork, parseCidr, parseIp } from '../lib/ipv4.js';
import type { LabSpec } from '../spec.js';
import { containerNicName, type L2Graph, l2Components } from '../lib/l2graph.js';
import type { SpecIndex, AddressedInterface } from './index.js';
import { chooseVrrpNic, compareVrrpRank } from '../rules/vrrp.js';

/** The subnet an address belongs to: its named one, or the first declared one that contains it. */
export function subnetOf(idx: SpecIndex, a: AddressedInterface): string | undefined {
  if (a.subnetName) return a.subnetName;
  if (!a.parsed) return undefined;
  return idx.subnetIndex.firstContaining(a.parsed.ip)?.name;
}

export function checkAddresses(spec: LabSpec, idx: SpecIndex, graph: L2Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const subnetList = [...idx.subnets.values()];
  for (const s of subnetList) {
    const ptr = `/subnets/${s.index}/cidr`;
    if (!s.parsed) out.push(error('bad-address', ptr, `"${s.subnet.cidr}" is not a valid IPv4 network`, 'each octet is 0-255 and the prefix 0-32'));
    else if (s.parsed.ip !== s.parsed.network) out.push(error('subnet-not-network', ptr, `"${s.subnet.cidr}" has host bits set`, `the network is ${formatIp(s.parsed.network)}/${s.parsed.prefix}`));
  }
  // Each subnet that overlaps one declared before it is reported once, against the first such.
  const earlier = idx.subnetIndex.firstEarlierOverlaps();
  idx.subnetIndex.subnets.forEach((s, k) => {
    const other = earlier[k];
    if (other) out.push(error('overlapping-subnets', `/subnets/${s.entry.index}/cidr`, `subnet "${s.entry.subnet.name}" overlaps "${other.entry.subnet.name}"`, 'give each subnet its own address range'));
  });

  for (const a of idx.addresses) {
    if (!a.parsed) {
      out.push(error('bad-address', a.pointer, `"${a.text}" is not a valid IPv4 address`, 'each octet is 0-255 and the prefix 0-32, e.g. "10.0.0.1/24"'));
      continue;
    }
    const { ip, prefix, network } = a.parsed;
    if (prefix < 31 && (ip === network || ip === broadcastOf(network, prefix))) {
      out.push(error('not-a-host-address', a.pointer, `"${a.text}" is the ${ip === network ? 'network' : 'broadcast'} address of its subnet`, 'pick a host address inside the subnet'));
      continue;
    }
    const named = a.subnetName ? idx.subnets.get(a.subnetName) : undefined;
    if (named?.parsed) {
      if (!inNetwork(ip, named.parsed.network, named.parsed.prefix)) {
        out.push(error('address-outside-subnet', a.pointer, `"${a.text}" is outside subnet "${a.subnetName}" (${named.subnet.cidr})`, `pick an address in ${named.subnet.cidr} or name another subnet`));
      } else if (prefix !== named.parsed.prefix) {
        out.push(error('prefix-mismatch', a.pointer, `"${a.text}" has prefix /${prefix} but subnet "${a.subnetName}" is /${named.parsed.prefix}`, `write ${formatIp(ip)}/${named.parsed.prefix}`));
      }
    } else if (!a.subnetName) {
      for (const { entry: s } of idx.subnetIndex.containing(ip)) {
        if (s.parsed && prefix !== s.parsed.prefix) {
          out.push(error('prefix-mismatch', a.pointer, `"${a.text}" lies in subnet "${s.subnet.name}" (${s.subnet.cidr}) but has prefix /${prefix}`, `write ${formatIp(ip)}/${s.parsed.prefix}`));
        }
      }
    }
  }

  // Duplicates: the same IP twice in one subnet or one L2 domain; VIPs count too.
  const domains = l2Components(graph, { withTunnels: true });
  const owners = new Map<string, { pointer: string; what: string; domain: string; subnet: string }[]>();
  const addOwner = (ip: string, o: { pointer: string; what: string; domain: string; subnet: string }) => {
    const list = owners.get(ip);
    if (list) list.push(o);
    else owners.set(ip, [o]);
  };
  for (const a of idx.addresses) {
    if (!a.parsed) continue;
    addOwner(formatIp(a.parsed.ip), { pointer: a.pointer, what: `${a.node}/${a.ifname}`, domain: domains.find(a.l2node), subnet: `${formatIp(a.parsed.network)}/${a.parsed.prefix}` });
  }
  const memberNic = (container: string, nic?: string) => {
    const c = idx.containers.get(container)?.container;
    if (!c) return undefined;
    const j = nic === undefined ? 0 : c.nics.findIndex((n, k) => containerNicName(n, k) === nic);
    const n = c.nics[j];
    return n ? { name: containerNicName(n, j), nic: n } : undefined;
  };

  (spec.vrrp ?? []).forEach((g, i) => {
    if (!Number.isInteger(g.vrid) || g.vrid < 1 || g.vrid > 255) out.push(error('vrid-range', `/vrrp/${i}/vrid`, `virtual router id ${g.vrid} is outside 1..255`, 'VRRP carries the id in one byte; pick 1..255'));
    // Each member's NIC: explicit, or the one whose subnet holds the first VIP.
    const vip0 = parseIp(g.addresses[0] as string);
    const memberNics = g.members.map((m, k) => {
      const c = idx.containers.get(m.container)?.container;
      if (!c) return undefined;
      const candidates = c.nics.map((nic, j) => {
        const p = nic.address ? parseCidr(nic.address) : undefined;
        return { name: containerNicName(nic, j), nic, ...(p ? { address: { network: p.network, prefix: p.prefix } } : {}) };
      });
      const found = chooseVrrpNic(candidates, m.nic, vip0);
      const chosen = found ? { name: found.name, nic: found.nic } : undefined;
      if (m.nic === undefined) {
        if (!chosen) out.push(error('vrrp-no-nic', `/vrrp/${i}/members/${k}`, `container "${m.container}" has no NIC in the subnet of ${g.addresses[0]}`, 'give it a NIC with an address in that subnet, or name the NIC with "nic"'));
      }
      if (chosen && !chosen.nic.address) out.push(error('vrrp-nic-without-address', `/vrrp/${i}/members/${k}`, `NIC "${chosen.name}" of "${m.container}" has no address`, 'a VRRP member needs an address on the subnet of the virtual address'));
      return chosen ? { container: m.container, ...chosen, k } : undefined;
    });
    g.addresses.forEach((vip, n) => {
      const ip = parseIp(vip);
      if (ip === undefined) {
        out.push(error('bad-address', `/vrrp/${i}/addresses/${n}`, `"${vip}" is not a valid IPv4 address`, 'each octet is 0-255'));
        return;
      }
      for (const m of memberNics) {
        const p = m?.nic.address ? parseCidr(m.nic.address) : undefined;
        if (m && p && !inNetwork(ip, p.network, p.prefix)) {
          out.push(error('vip-outside-subnet', `/vrrp/${i}/addresses/${n}`, `virtual address ${vip} is outside the subnet of ${m.container}/${m.name} (${m.nic.address})`, `pick a virtual address in ${formatIp(p.network)}/${p.prefix}`));
          break;
        }
      }
      const first = memberNics.find((m) => m !== undefined);
      const p = first?.nic.address ? parseCidr(first.nic.address) : undefined;
      if (first && p) addOwner(vip, { pointer: `/vrrp/${i}/addresses/${n}`, what: `virtual address of ${g.name}`, domain: domains.find(`cnic:${first.container}/${first.name}`), subnet: `${formatIp(p.network)}/${p.prefix}` });
    });
    const doms = new Set(memberNics.filter((m) => m !== undefined).map((m) => domains.find(`cnic:${m?.container}/${m?.name}`)));
    if (doms.size > 1) out.push(error('vrrp-split-domain', `/vrrp/${i}/members`, `members of VRRP group "${g.name}" are not in one L2 domain`, 'VRRP adverts are multicast on one LAN; connect the members\' bridges (cables or VXLAN)'));
    const prios = new Map<number, number>();
    g.members.forEach((m, k) => {
      const otherK = prios.get(m.priority);
      if (otherK === undefined) {
        prios.set(m.priority, k);
        return;
      }
      const other = g.members[otherK] as (typeof g.members)[number];
      const ipOf = (n: number) => {
        const a = memberNics[n]?.nic.address;
        return a ? { text: a.split('/')[0] as string, n: parseCidr(a)?.ip ?? -1 } : undefined;
      };
      const mine = ipOf(k);
      const theirs = ipOf(otherK);
      const winner = mine && theirs ? (compareVrrpRank({ priority: m.priority, ip: mine.n }, { priority: other.priority, ip: theirs.n }) < 0 ? `"${m.container}" (${mine.text})` : `"${other.container}" (${theirs.text})`) : undefined;
      out.push(warning('vrrp-equal-priority', `/vrrp/${i}/members/${k}/priority`, `"${m.container}" and "${other.container}" both have priority ${m.priority}`, `VRRP then elects the higher address${winner ? `, ${winner}` : ''}; give the intended master a higher priority`));
    });
  });

  // VRID unique per L2 domain.
  const vridSeen = new Map<string, string>();
  (spec.vrrp ?? []).forEach((g, i) => {
    const m = g.members[0];
    const nic = m ? memberNic(m.container, m.nic) : undefined;
    if (!m || !nic) return;
    const key = `${domains.find(`cnic:${m.container}/${nic.name}`)}#${g.vrid}`;
    const other = vridSeen.get(key);
    if (other !== undefined) out.push(error('vrid-reused', `/vrrp/${i}/vrid`, `virtual router id ${g.vrid} is already used by group "${other}" in the same L2 domain`, 'VRRP routers with one id on one LAN form one group; pick another id'));
    else vridSeen.set(key, g.name);
  });

  const isVm = (pointer: string) => pointer.startsWith('/vms/') || pointer.startsWith('/cables/');
  for (const [ip, list] of owners) {
    // The first earlier owner in the same L2 domain or subnet (two maps, not a scan per owner).
    const firstInDomain = new Map<string, number>();
    const firstInSubnet = new Map<string, number>();
    for (let k = 0; k < list.length; k++) {
      const cur = list[k] as (typeof list)[number];
      const d = firstInDomain.get(cur.domain);
      const n = firstInSubnet.get(cur.subnet);
      if (d === undefined) firstInDomain.set(cur.domain, k);
      if (n === undefined) firstInSubnet.set(cur.subnet, k);
      const earliest = d === undefined ? n : n === undefined ? d : Math.min(d, n);
      const prev = earliest === undefined ? undefined : list[earliest];
      if (!prev) continue;
      const vip = [cur, prev].some((o) => o.pointer.startsWith('/vrrp/'));
      const hint = vip
        ? 'a virtual address must not be the own address of any interface; pick a free address for the VIP'
        : isVm(prev.pointer) !== isVm(cur.pointer)
          ? 'a VM and a container cannot share an address; the handout makes this mistake (172.16.1.250 on both vswout1 and bal1): give the VM its own address, as examples/practica6.json does with .201'
          : 'every address must be unique in its subnet and L2 domain; pick a free one';
      out.push(error('duplicate-address', cur.pointer, `${ip} is already used by ${prev.what} (${prev.pointer})`, hint));
    }
  }
  return out;
}
