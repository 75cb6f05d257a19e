// The spec as the user writes it (after schema validation). Mirrors schema/lab.schema.json.
import type { BoxFamilyId } from './families/boxes.js';
import type { ImageFamilyId } from './families/images.js';

export interface StpTimersSpec {
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
}

export interface BoxSpec {
  box?: string;
  boxVersion?: string;
  boxUrl?: string;
  boxChecksum?: string;
  boxFamily?: BoxFamilyId;
}

export interface DefaultsSpec extends BoxSpec {
  memory?: number;
  cpus?: number;
  provider?: 'virtualbox' | 'libvirt';
  image?: string;
  imageFamily?: ImageFamilyId;
  aptProxy?: string;
  stp?: StpTimersSpec;
}

export interface SubnetSpec {
  name: string;
  cidr: string;
  description?: string;
}

export interface BridgeSpec extends StpTimersSpec {
  name: string;
  stp?: boolean;
  priority?: number;
  address?: string;
  subnet?: string;
  mtu?: number;
  description?: string;
}

export type VmRole = 'host' | 'switch' | 'client';

export interface VmSpec extends BoxSpec {
  name: string;
  role: VmRole;
  memory?: number;
  cpus?: number;
  nat?: boolean;
  gui?: boolean;
  bridges?: BridgeSpec[];
  description?: string;
}

export interface CableEndSpec {
  vm: string;
  bridge?: string;
  address?: string;
  subnet?: string;
  cost?: number;
  portPriority?: number;
}

export interface CableSpec {
  name: string;
  ends: [CableEndSpec, CableEndSpec];
  description?: string;
}

export interface ContainerNicSpec {
  name?: string;
  bridge: string;
  address?: string;
  subnet?: string;
}

export type ContainerRole = 'web' | 'balancer' | 'none';

export interface ContainerSpec {
  name: string;
  vm: string;
  image?: string;
  imageFamily?: ImageFamilyId;
  role?: ContainerRole;
  nics: ContainerNicSpec[];
  page?: { heading?: string };
  description?: string;
}

export interface VrrpMemberSpec {
  container: string;
  nic?: string;
  priority: number;
}

export interface VrrpGroupSpec {
  name: string;
  vrid: number;
  advertInt?: number;
  addresses: string[];
  preempt?: boolean;
  members: VrrpMemberSpec[];
}

export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'source' | 'uri';

export interface BackendSpec {
  container: string;
  port?: number;
  weight?: number;
  expectUnreachableFrom?: string[];
}

export interface ServiceSpec {
  name: string;
  balancers: string[];
  bind?: string;
  port: number;
  algorithm?: BalanceAlgorithm;
  check?: { interval?: number; rise?: number; fall?: number; path?: string };
  backends: BackendSpec[];
  description?: string;
}

export interface VxlanMemberSpec {
  vm: string;
  bridge: string;
  local?: string;
}

export interface VxlanSegmentSpec {
  name: string;
  vni: number;
  port?: number;
  underlay?: string;
  mtu?: 'lower-inner' | 'raise-underlay';
  members: VxlanMemberSpec[];
  description?: string;
}

export interface StageSpec {
  name?: string;
  weight?: number;
  prebuild?: { containers?: boolean };
}

export interface LabSpec {
  name: string;
  title?: string;
  description?: string;
  language?: 'es' | 'en';
  guide?: { teacherOnly?: boolean };
  stage?: number;
  stages?: StageSpec[];
  defaults?: DefaultsSpec;
  subnets?: SubnetSpec[];
  vms: VmSpec[];
  cables?: CableSpec[];
  containers?: ContainerSpec[];
  vrrp?: VrrpGroupSpec[];
  services?: ServiceSpec[];
  vxlan?: VxlanSegmentSpec[];
}
