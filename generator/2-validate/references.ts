// Names and references: duplicates, unknown names, elements on the wrong kind of node.
import { error, type Diagnostic } from '../diagnostics.js';
import type { LabSpec } from '../spec.js';
import { containerNicName } from '../lib/l2graph.js';
import { bridgeKey, type SpecIndex } from './index.js';

function duplicates<T>(items: T[], nameOf: (t: T) => string, pointerOfItem: (i: number) => string, what: string, out: Diagnostic[], hint: string) {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const name = nameOf(item);
    const prev = first.get(name);
    if (prev === undefined) first.set(name, i);
    else out.push(error('duplicate-name', pointerOfItem(i), `${what} "${name}" is defined twice (first at ${pointerOfItem(prev)})`, hint));
  });
}

export function checkReferences(spec: LabSpec, idx: SpecIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Hints name what exists, but not thousands of names for each of thousands of errors.
  const KNOWN_SHOWN = 12;
  const known = (list: Iterable<string>) => {
    const shown: string[] = [];
    let more = 0;
    for (const n of list) {
      if (shown.length < KNOWN_SHOWN) shown.push(`"${n}"`);
      else more++;
    }
    return shown.length === 0 ? 'none' : `${shown.join(', ')}${more ? ` and ${more} more` : ''}`;
  };
  let bridgesByName: Map<string, { vm: string }> | undefined;
  const firstBridgeNamed = (name: string) => {
    if (!bridgesByName) {
      bridgesByName = new Map();
      for (const b of idx.bridges.values()) if (!bridgesByName.has(b.bridge.name)) bridgesByName.set(b.bridge.name, b);
    }
    return bridgesByName.get(name);
  };

  // VMs and containers share one namespace: both become emulation namespaces <lab>-<name>.
  const nodes = [
    ...spec.vms.map((v, i) => ({ name: v.name, ptr: `/vms/${i}/name` })),
    ...(spec.containers ?? []).map((c, i) => ({ name: c.name, ptr: `/containers/${i}/name` })),
  ];
  duplicates(nodes, (n) => n.name, (i) => (nodes[i] as { ptr: string }).ptr, 'node', out, 'VMs and containers share one namespace (each becomes a namespace <lab>-<name>); rename one');
  duplicates(spec.cables ?? [], (c) => c.name, (i) => `/cables/${i}/name`, 'cable', out, 'cable names name provider networks and guest NICs; rename one');
  duplicates(spec.subnets ?? [], (s) => s.name, (i) => `/subnets/${i}/name`, 'subnet', out, 'rename one subnet');
  duplicates(spec.vrrp ?? [], (g) => g.name, (i) => `/vrrp/${i}/name`, 'VRRP group', out, 'rename one group');
  duplicates(spec.services ?? [], (s) => s.name, (i) => `/services/${i}/name`, 'service', out, 'rename one service');
  duplicates(spec.vxlan ?? [], (s) => s.name, (i) => `/vxlan/${i}/name`, 'VXLAN segment', out, 'rename one segment');
  spec.vms.forEach((vm, i) => duplicates(vm.bridges ?? [], (b) => b.name, (j) => `/vms/${i}/bridges/${j}/name`, `bridge of ${vm.name}`, out, 'rename one bridge'));
  (spec.containers ?? []).forEach((c, i) => duplicates(c.nics.map((n, j) => containerNicName(n, j)), (n) => n, (j) => `/containers/${i}/nics/${j}`, `NIC of ${c.name}`, out, 'give each NIC of a container its own name'));

  spec.vms.forEach((vm, i) => {
    if (vm.role === 'client' && (vm.bridges ?? []).length > 0) {
      out.push(error('bridge-on-client', `/vms/${i}/bridges`, `client VM "${vm.name}" has bridges`, 'bridges belong on hosts and switches; make this VM a "switch" or "host", or put its address on a cable end'));
    }
  });

  (spec.cables ?? []).forEach((cable, i) => {
    const [a, b] = cable.ends;
    if (a.vm === b.vm) out.push(error('cable-loopback', `/cables/${i}/ends`, `cable "${cable.name}" has both ends on VM "${a.vm}"`, 'a cable joins two different VMs; use a bridge inside the VM instead'));
    cable.ends.forEach((end, k) => {
      const ptr = `/cables/${i}/ends/${k}`;
      if (!idx.vms.has(end.vm)) {
        out.push(error('unknown-vm', `${ptr}/vm`, `cable "${cable.name}" ends on unknown VM "${end.vm}"`, `known VMs: ${known(idx.vms.keys())}`));
        return;
      }
      if (end.bridge !== undefined && !idx.bridges.has(bridgeKey(end.vm, end.bridge))) {
        const vmBridges = (idx.vms.get(end.vm)?.vm.bridges ?? []).map((x) => x.name);
        out.push(error('unknown-bridge', `${ptr}/bridge`, `VM "${end.vm}" has no bridge "${end.bridge}"`, `bridges of ${end.vm}: ${known(vmBridges)}`));
      }
      if (end.bridge !== undefined && end.address !== undefined) {
        const br = idx.bridges.get(bridgeKey(end.vm, end.bridge));
        out.push(error('address-on-bridge-port', `${ptr}/address`, `cable end on bridge "${end.bridge}" also has an address`, `a bridge port carries no address; put the address on the bridge itself${br ? ` (${br.pointer}/address)` : ''}, or drop "bridge" to make this a plain NIC`));
      }
      if (end.bridge === undefined && (end.cost !== undefined || end.portPriority !== undefined)) {
        out.push(error('stp-on-plain-nic', ptr, `cable end has STP settings but is not a bridge port`, 'cost and portPriority apply to bridge ports only; add "bridge" or remove them'));
      }
      if (end.subnet !== undefined && !idx.subnets.has(end.subnet)) out.push(error('unknown-subnet', `${ptr}/subnet`, `unknown subnet "${end.subnet}"`, `known subnets: ${known(idx.subnets.keys())}`));
    });
  });

  spec.vms.forEach((vm, i) =>
    (vm.bridges ?? []).forEach((br, j) => {
      if (br.subnet !== undefined && !idx.subnets.has(br.subnet)) out.push(error('unknown-subnet', `/vms/${i}/bridges/${j}/subnet`, `unknown subnet "${br.subnet}"`, `known subnets: ${known(idx.subnets.keys())}`));
    }),
  );

  (spec.containers ?? []).forEach((c, i) => {
    const host = idx.vms.get(c.vm);
    if (!host) {
      out.push(error('unknown-vm', `/containers/${i}/vm`, `container "${c.name}" is on unknown VM "${c.vm}"`, `known VMs: ${known(idx.vms.keys())}`));
      return;
    }
    if (host.vm.role !== 'host') out.push(error('container-on-non-host', `/containers/${i}/vm`, `container "${c.name}" is on VM "${c.vm}", whose role is "${host.vm.role}"`, 'only VMs with role "host" run LXD; change the role or move the container'));
    c.nics.forEach((nic, j) => {
      const ptr = `/containers/${i}/nics/${j}`;
      if (!idx.bridges.has(bridgeKey(c.vm, nic.bridge))) {
        const elsewhere = firstBridgeNamed(nic.bridge);
        if (elsewhere) out.push(error('bridge-on-other-vm', `${ptr}/bridge`, `container "${c.name}" runs on "${c.vm}" but bridge "${nic.bridge}" is on "${elsewhere.vm}"`, `a container NIC can only join a bridge of its own VM; use a bridge of ${c.vm} (${known((host.vm.bridges ?? []).map((b) => b.name))}) or join the bridges with VXLAN`));
        else out.push(error('unknown-bridge', `${ptr}/bridge`, `VM "${c.vm}" has no bridge "${nic.bridge}"`, `bridges of ${c.vm}: ${known((host.vm.bridges ?? []).map((b) => b.name))}`));
      }
      if (nic.subnet !== undefined && !idx.subnets.has(nic.subnet)) out.push(error('unknown-subnet', `${ptr}/subnet`, `unknown subnet "${nic.subnet}"`, `known subnets: ${known(idx.subnets.keys())}`));
    });
  });

  const needContainer = (name: string, ptr: string, role: 'web' | 'balancer', what: string) => {
    const c = idx.containers.get(name);
    if (!c) {
      out.push(error('unknown-container', ptr, `${what} "${name}" is not a container`, `known containers: ${known(idx.containers.keys())}`));
      return undefined;
    }
    const actual = c.container.role ?? 'none';
    if (actual !== role) out.push(error('wrong-role', ptr, `${what} "${name}" has role "${actual}", expected "${role}"`, `set "role": "${role}" on /containers/${c.index}`));
    return c;
  };

  (spec.vrrp ?? []).forEach((g, i) => {
    duplicates(g.members, (m) => m.container, (k) => `/vrrp/${i}/members/${k}/container`, 'VRRP member', out, 'list each container once');
    g.members.forEach((m, k) => {
      const c = needContainer(m.container, `/vrrp/${i}/members/${k}/container`, 'balancer', 'VRRP member');
      if (c && m.nic !== undefined && !c.container.nics.some((n, j) => containerNicName(n, j) === m.nic)) {
        out.push(error('unknown-nic', `/vrrp/${i}/members/${k}/nic`, `container "${m.container}" has no NIC "${m.nic}"`, `its NICs: ${known(c.container.nics.map((n, j) => containerNicName(n, j)))}`));
      }
    });
  });

  (spec.services ?? []).forEach((s, i) => {
    const balancerSet = new Set(s.balancers);
    duplicates(s.balancers, (b) => b, (k) => `/services/${i}/balancers/${k}`, 'balancer', out, 'list each balancer once');
    duplicates(s.backends, (b) => b.container, (k) => `/services/${i}/backends/${k}/container`, 'backend', out, 'list each backend once');
    s.balancers.forEach((b, k) => needContainer(b, `/services/${i}/balancers/${k}`, 'balancer', 'balancer'));
    s.backends.forEach((b, k) => {
      needContainer(b.container, `/services/${i}/backends/${k}/container`, 'web', 'backend');
      (b.expectUnreachableFrom ?? []).forEach((name, n) => {
        if (!balancerSet.has(name)) out.push(error('unknown-balancer', `/services/${i}/backends/${k}/expectUnreachableFrom/${n}`, `"${name}" is not a balancer of service "${s.name}"`, `balancers: ${known(s.balancers)}`));
      });
    });
  });

  (spec.vxlan ?? []).forEach((seg, i) => {
    if (seg.underlay !== undefined && !idx.subnets.has(seg.underlay)) out.push(error('unknown-subnet', `/vxlan/${i}/underlay`, `unknown subnet "${seg.underlay}"`, `known subnets: ${known(idx.subnets.keys())}`));
    duplicates(seg.members, (m) => m.vm, (k) => `/vxlan/${i}/members/${k}/vm`, 'VXLAN member VM', out, 'one bridge per VM joins a segment');
    seg.members.forEach((m, k) => {
      const vm = idx.vms.get(m.vm);
      if (!vm) out.push(error('unknown-vm', `/vxlan/${i}/members/${k}/vm`, `unknown VM "${m.vm}"`, `known VMs: ${known(idx.vms.keys())}`));
      else if (!idx.bridges.has(bridgeKey(m.vm, m.bridge))) out.push(error('unknown-bridge', `/vxlan/${i}/members/${k}/bridge`, `VM "${m.vm}" has no bridge "${m.bridge}"`, `bridges of ${m.vm}: ${known((vm.vm.bridges ?? []).map((b) => b.name))}`));
    });
  });
  return out;
}

