// The resolved lab model: everything a back end needs, fully explicit. Back ends read it and never
// recompute addresses, MACs, names, L2 domains, STP outcome or timing from the spec.
import type { BoxFamilyId } from '../families/boxes.js';
import type { ImageFamilyId } from '../families/images.js';
import type { Stage } from '../rules/stages.js';

export interface Cidr {
  /** e.g. "10.0.0.1" */
  ip: string;
  prefix: number;
  /** "10.0.0.1/24" */
  cidr: string;
  /** Named subnet it belongs to, or an implicit "<network>/<prefix>" name. */
  subnet: string;
  /** "10.0.0.0/24" */
  network: string;
}

export interface StpTimers {
  forwardDelay: number;
  helloTime: number;
  maxAge: number;
}

export type PortKind = 'cable' | 'container' | 'vxlan';
export type PortRole = 'root' | 'designated' | 'blocked' | 'none';

export interface BridgePortModel {
  /** Interface name inside the VM (cable NIC, container veth host side, vxlan device). */
  ifname: string;
  kind: PortKind;
  /** Kernel port number: ports are enslaved in model order, so the kernel numbers them 1, 2, ... */
  portNo: number;
  cost: number;
  /** Kernel port priority 0..63 */
  priority: number;
  /** Expected STP role once converged; 'none' when STP is off on the bridge. */
  role: PortRole;
  /** For a cable port, the cable name; for a container port, "container/nic"; for vxlan, the segment. */
  link: string;
}

export interface BridgeModel {
  name: string;
  vm: string;
  mac: string;
  stp: boolean;
  priority: number;
  /** Kernel style bridge id, e.g. "1000.02aabbccddee" (priority hex . mac hex), the key of root election. */
  bridgeId: string;
  timers: StpTimers;
  address?: Cidr;
  mtu: number;
  ports: BridgePortModel[];
  l2domain: string;
}

export interface VmNicModel {
  /** Position among the VM's lab NICs (0-based, model order); providers number adapters from it. */
  index: number;
  cable: string;
  /** "02:aa:bb:cc:dd:ee" */
  mac: string;
  /** Name given inside the guest (renamed by MAC). */
  guestName: string;
  bridge?: string;
  address?: Cidr;
  mtu: number;
  /** The NIC carries frames for other MACs (a bridge port): providers that filter must let them in. */
  promiscuous: boolean;
  stpCost: number;
  stpPriority: number;
  peer: { vm: string; nic: string };
  l2domain: string;
}

/** One end of a cable: the VM NIC it plugs into, and where that NIC leads inside the VM. */
export interface CableEndModel {
  vm: string;
  /** The NIC's guest name. */
  nic: string;
  mac: string;
  mtu: number;
  /** The bridge the NIC is a port of, or its own address when it has none. */
  bridge?: string;
  address?: Cidr;
  l2domain: string;
}

/** A cable with both ends resolved, end a on the VM that comes first in the model. */
export interface CableModel {
  name: string;
  a: CableEndModel;
  b: CableEndModel;
}

export interface VxlanDeviceModel {
  /** Device name inside the VM: "vx-<segment>". */
  ifname: string;
  segment: string;
  vni: number;
  port: number;
  local: string;
  /** Interface holding the local address (bridge or NIC), the VXLAN device's underlay. */
  underlayDevice: string;
  remotes: string[];
  bridge: string;
  mtu: number;
  mac: string;
}

export interface VmModel {
  name: string;
  role: 'host' | 'switch' | 'client';
  description?: string;
  box: string;
  boxVersion?: string;
  /** Where Vagrant fetches the box when it is missing: a metadata.json catalog or a .box file. */
  boxUrl?: string;
  boxChecksum?: { type: string; value: string };
  boxFamily: BoxFamilyId;
  memory: number;
  cpus: number;
  nat: boolean;
  gui: boolean;
  nics: VmNicModel[];
  bridges: BridgeModel[];
  vxlans: VxlanDeviceModel[];
  ipForward: boolean;
  /** Emulation namespace name "<lab>-<vm>". */
  namespace: string;
  containers: string[];
  /** What each Vagrant provider makes of this VM (one module per provider computes its part). */
  providers: { virtualbox: VirtualboxVmModel; libvirt: LibvirtVmModel };
}

export interface VirtualboxVmModel {
  chipset: 'piix3' | 'ich9';
  /** Adapter 1 is Vagrant's NAT; lab NICs follow in model order. */
  nics: { adapter: number; intnet: string; macPlain: string; promiscuous: boolean }[];
}

export interface LibvirtVmModel {
  /** Adapter 0 is vagrant-libvirt's management network; each cable is a UDP tunnel on loopback. */
  nics: { adapter: number; macPlain: string; localPort: number; peerPort: number }[];
}

export interface ContainerNicModel {
  name: string;
  mac: string;
  /** Host side veth name in the VM (LXD host_name and emulation alike): "<container>-<nic>". */
  hostName: string;
  bridge: string;
  address?: Cidr;
  mtu: number;
  l2domain: string;
}

export interface ContainerModel {
  name: string;
  vm: string;
  /** remote:alias, or a file under the lab folder's images/ that the Vagrantfile uploads. */
  image: string;
  imageFamily: ImageFamilyId;
  /** The LXD alias containers are created from: the remote:alias, or gen-lab/<file> once imported. */
  imageAlias: string;
  localImage: boolean;
  role: 'web' | 'balancer' | 'none';
  description?: string;
  nics: ContainerNicModel[];
  /** Heading of the page, web servers only. */
  pageHeading?: string;
  namespace: string;
}

export interface L2Endpoint {
  kind: 'bridge' | 'vm-nic' | 'container-nic';
  node: string;
  ifname: string;
  address?: Cidr;
}

export interface L2DomainModel {
  /** Stable id: the name of the first member bridge or NIC, "vm/ifname". */
  id: string;
  endpoints: L2Endpoint[];
  subnets: string[];
  stp?: {
    root: { vm: string; bridge: string; bridgeId: string };
    blocked: { vm: string; bridge: string; port: string }[];
    /** Longest forward delay / max age in the domain, for outage bounds. */
    forwardDelay: number;
    maxAge: number;
    helloTime: number;
    /** Each STP bridge's cost of its best path to the root, in model order (the answer key's reasons). */
    rootCost: { vm: string; bridge: string; cost: number }[];
  };
}

export interface VrrpMemberModel {
  container: string;
  vm: string;
  nic: string;
  address: Cidr;
  priority: number;
  initialState: 'MASTER' | 'BACKUP';
}

export interface VrrpGroupModel {
  name: string;
  vrid: number;
  advertInt: number;
  addresses: string[];
  prefix: number;
  preempt: boolean;
  members: VrrpMemberModel[];
  expectedMaster: string;
  l2domain: string;
  /** Seconds until the second round of gratuitous ARPs after becoming master: beyond 2 x forward delay. */
  garpMasterDelay: number;
  /** 3 x advert + skew of the highest-priority backup. */
  masterDownInterval: number;
  /** Seconds a port spends listening+learning in this domain (0 without STP). */
  stpListenLearn: number;
}

export interface BackendModel {
  container: string;
  address: string;
  port: number;
  weight: number;
  expectUnreachableFrom: string[];
}

export interface ServiceBalancerModel {
  container: string;
  /** Internal address the backends see as the client. */
  sourceAddress: string;
  reachable: string[];
  /** Backends reached when every VXLAN tunnel is down. */
  reachableWithoutTunnels: string[];
}

export interface ServiceModel {
  name: string;
  bind: string;
  port: number;
  algorithm: string;
  check: { interMs: number; rise: number; fall: number; path: string };
  timeouts: { connectMs: number; clientMs: number; serverMs: number; checkMs: number };
  retries: number;
  backends: BackendModel[];
  balancers: ServiceBalancerModel[];
  /** Virtual addresses of VRRP groups whose members are this service's balancers. */
  vips: string[];
}

export interface VxlanSegmentModel {
  name: string;
  vni: number;
  port: number;
  underlaySubnet: string;
  innerMtu: number;
  underlayMtu: number;
  members: { vm: string; bridge: string; local: string; device: string }[];
}

export interface LabModel {
  name: string;
  title: string;
  description?: string;
  language: 'es' | 'en';
  /** The lab guide's options: answer keys in TEACHER.md instead of README.md. */
  guide: { teacherOnly: boolean };
  /** Teaching mode: the stage the lab is built to (4: the whole lab) and each stage's settings. */
  teaching: TeachingModel;
  generatorVersion: string;
  /** sha256 of the canonical spec JSON, first 16 hex digits. */
  specHash: string;
  provider: 'virtualbox' | 'libvirt';
  /** HTTP proxy (a classroom's package cache) every apt and apk in the lab goes through. */
  aptProxy?: string;
  vms: VmModel[];
  /** Every cable once, in the order of its first end's VM and NIC (the order the emulation plugs them). */
  cables: CableModel[];
  containers: ContainerModel[];
  l2domains: L2DomainModel[];
  vrrp: VrrpGroupModel[];
  services: ServiceModel[];
  vxlan: VxlanSegmentModel[];
  subnets: { name: string; network: string; prefix: number; description?: string }[];
}

export interface StageSettings {
  /** The spec's own name for the stage; absent: the lab language's default name (templates). */
  name?: string;
  /** Weight of the stage's checkpoint in the grade, in percent (stage 0 has no checkpoint: 0). */
  weight: number;
  /** Containers of later stages already exist at this stage (created, no lab NIC, no daemon). */
  prebuildContainers: boolean;
}

export interface TeachingModel {
  stage: Stage;
  /** Index = stage number, 0..4. */
  stages: StageSettings[];
}
