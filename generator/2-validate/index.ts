// Lookup tables over a schema-valid spec, shared by the semantic checks.
import type { BridgeSpec, ContainerSpec, LabSpec, SubnetSpec, VmSpec } from '../spec.js';
import { containerNicName } from '../lib/l2graph.js';
import { parseCidr, type ParsedCidr } from '../lib/ipv4.js';
import { SubnetIndex } from '../rules/subnets.js';

export interface AddressedInterface {
  pointer: string;
  /** VM or container the address lives on. */
  node: string;
  ifname: string;
  text: string;
  parsed: ParsedCidr | undefined;
  subnetName?: string;
  /** L2 node id of the interface (bridge or end NIC). */
  l2node: string;
}

export interface SpecIndex {
  spec: LabSpec;
  vms: Map<string, { vm: VmSpec; index: number }>;
  bridges: Map<string, { bridge: BridgeSpec; vm: string; pointer: string }>;
  containers: Map<string, { container: ContainerSpec; index: number }>;
  subnets: Map<string, { subnet: SubnetSpec; index: number; parsed: ParsedCidr | undefined }>;
  /** The well-formed subnets of `subnets`, in that order, for lookups by address. */
  subnetIndex: SubnetIndex<IndexedSubnet>;
  addresses: AddressedInterface[];
  /** Addresses by the VM or container they live on, in `addresses` order. */
  addressesByNode: Map<string, AddressedInterface[]>;
}

export interface IndexedSubnet {
  name: string;
  network: number;
  prefix: number;
  entry: { subnet: SubnetSpec; index: number; parsed: ParsedCidr | undefined };
}

export const bridgeKey = (vm: string, bridge: string) => `${vm}/${bridge}`;

export function indexSpec(spec: LabSpec): SpecIndex {
  const vms = new Map<string, { vm: VmSpec; index: number }>();
  const bridges = new Map<string, { bridge: BridgeSpec; vm: string; pointer: string }>();
  spec.vms.forEach((vm, index) => {
    if (!vms.has(vm.name)) vms.set(vm.name, { vm, index });
    (vm.bridges ?? []).forEach((bridge, j) => {
      const key = bridgeKey(vm.name, bridge.name);
      if (!bridges.has(key)) bridges.set(key, { bridge, vm: vm.name, pointer: `/vms/${index}/bridges/${j}` });
    });
  });
  const containers = new Map<string, { container: ContainerSpec; index: number }>();
  (spec.containers ?? []).forEach((container, index) => {
    if (!containers.has(container.name)) containers.set(container.name, { container, index });
  });
  const subnets = new Map<string, { subnet: SubnetSpec; index: number; parsed: ParsedCidr | undefined }>();
  (spec.subnets ?? []).forEach((subnet, index) => {
    if (!subnets.has(subnet.name)) subnets.set(subnet.name, { subnet, index, parsed: parseCidr(subnet.cidr) });
  });
  const addresses: AddressedInterface[] = [];
  const add = (a: Omit<AddressedInterface, 'parsed'>) => addresses.push({ ...a, parsed: parseCidr(a.text) });
  spec.vms.forEach((vm, i) =>
    (vm.bridges ?? []).forEach((br, j) => {
      if (br.address) add({ pointer: `/vms/${i}/bridges/${j}/address`, node: vm.name, ifname: br.name, text: br.address, ...(br.subnet ? { subnetName: br.subnet } : {}), l2node: `bridge:${vm.name}/${br.name}` });
    }),
  );
  (spec.cables ?? []).forEach((cable, i) =>
    cable.ends.forEach((end, k) => {
      if (end.address) add({ pointer: `/cables/${i}/ends/${k}/address`, node: end.vm, ifname: cable.name, text: end.address, ...(end.subnet ? { subnetName: end.subnet } : {}), l2node: end.bridge ? `bridge:${end.vm}/${end.bridge}` : `nic:${end.vm}/${cable.name}` });
    }),
  );
  (spec.containers ?? []).forEach((c, i) =>
    c.nics.forEach((nic, j) => {
      const name = containerNicName(nic, j);
      if (nic.address) add({ pointer: `/containers/${i}/nics/${j}/address`, node: c.name, ifname: name, text: nic.address, ...(nic.subnet ? { subnetName: nic.subnet } : {}), l2node: `cnic:${c.name}/${name}` });
    }),
  );
  const subnetIndex = new SubnetIndex<IndexedSubnet>(
    [...subnets.values()].flatMap((entry) => (entry.parsed ? [{ name: entry.subnet.name, network: entry.parsed.network, prefix: entry.parsed.prefix, entry }] : [])),
  );
  const addressesByNode = new Map<string, AddressedInterface[]>();
  for (const a of addresses) {
    const list = addressesByNode.get(a.node);
    if (list) list.push(a);
    else addressesByNode.set(a.node, [a]);
  }
  return { spec, vms, bridges, containers, subnets, subnetIndex, addresses, addressesByNode };
}
