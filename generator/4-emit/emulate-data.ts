// The model facts the emulation scripts need, as bash assignments (emulate/lab.sh). Every list is in
// model order so the scripts build the lab in the same order as the Vagrantfile and LXD do.
import type { LabModel, ServiceModel } from '../3-resolve/model.js';
import { shellQuote as q } from './escape.js';
import { rowArray } from './bash-rows.js';
import { settleBounds } from './settle.js';
import { byName } from '../lib/by-name.js';
import { DAEMON_IDS, daemonConfigFile, IMAGE_FAMILIES, IMAGE_FAMILY_IDS } from '../families/images.js';

/** Kernel STP port states in /sys/class/net/BR/brif/P/state. */
export const STP_FORWARDING = 3;
export const STP_BLOCKING = 4;

function words(name: string, items: string[]): string {
  return `${name}=(${items.map(q).join(' ')})`;
}

export function cableRows(model: LabModel): string[][] {
  return model.cables.map(({ name, a, b }) => [name, a.vm, a.nic, a.mac, String(a.mtu), b.vm, b.nic, b.mac, String(b.mtu)]);
}

export function stpPortRows(model: LabModel): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const vm of model.vms)
    for (const br of vm.bridges)
      if (br.stp)
        for (const p of br.ports)
          if (p.role !== 'none') rows.push([vm.name, br.name, p.ifname, p.role === 'blocked' ? STP_BLOCKING : STP_FORWARDING, p.kind, p.link]);
  return rows;
}

/** Every VIP of a service with the VRRP group holding it: the client's ways into the service. */
export function serviceVips(model: LabModel, s: ServiceModel): { vip: string; group: string; master: string }[] {
  return s.vips.map((vip) => {
    const g = model.vrrp.find((x) => x.addresses.includes(vip));
    return { vip, group: g?.name ?? '', master: g?.expectedMaster ?? '' };
  });
}

/** The client VM the checks and readiness probes run from: the first VM with the client role. */
export function clientVm(model: LabModel): string {
  return model.vms.find((v) => v.role === 'client')?.name ?? '';
}

export function emulationData(model: LabModel): string {
  const lines = [
    `LAB=${q(model.name)}`,
    `RUN_DIR=${q(`/run/gen-lab/${model.name}`)}`,
    `CLIENT=${q(clientVm(model))}`,
    `READY_TIMEOUT=${settleBounds(model).ready}`,
    words('VMS', model.vms.map((v) => v.name)),
    words('HOSTS_WITH_CONTAINERS', model.vms.filter((v) => v.containers.length > 0).map((v) => v.name)),
    words('CONTAINERS', model.containers.map((c) => c.name)),
    words('BALANCERS', model.containers.filter((c) => c.role === 'balancer').map((c) => c.name)),
    words('WEBS', model.containers.filter((c) => c.role === 'web').map((c) => c.name)),
    '# image family and init system of each container, and each daemon\'s service name per family',
    `declare -A CONTAINER_FAMILY=(${model.containers.map((c) => `[${c.name}]=${q(c.imageFamily)}`).join(' ')})`,
    `declare -A CONTAINER_INIT=(${model.containers.map((c) => `[${c.name}]=${q(IMAGE_FAMILIES[c.imageFamily].init)}`).join(' ')})`,
    words('DAEMONS', [...DAEMON_IDS]),
    '# the lab-folder file (containers/<name>/FILE) each daemon starts from',
    `declare -A DAEMON_CONFIG=(${DAEMON_IDS.map((d) => `[${d}]=${q(daemonConfigFile(d))}`).join(' ')})`,
    `declare -A DAEMON_SERVICE=(${IMAGE_FAMILY_IDS.flatMap((f) => DAEMON_IDS.map((d) => `[${f}:${d}]=${q(IMAGE_FAMILIES[f].daemons[d].service)}`)).join(' ')})`,
    "# CPUs of each container's VM: its daemons are pinned to as many (haproxy sizes its threads by them)",
    `declare -A NODE_CPUS=(${model.containers.map((c) => `[${c.name}]=${byName(model.vms, c.vm)?.cpus ?? 1}`).join(' ')})`,
    rowArray({ name: 'CABLES', columns: ['cable', 'vmA', 'nicA', 'macA', 'mtuA', 'vmB', 'nicB', 'macB', 'mtuB'] }, cableRows(model)),
    rowArray(
      { name: 'CONTAINER_NICS', columns: ['container', 'vm', 'nic', 'mac', 'host-side-veth', 'bridge', 'mtu'], note: '(as the LXD profile)' },
      model.containers.flatMap((c) => c.nics.map((n) => [c.name, c.vm, n.name, n.mac, n.hostName, n.bridge, n.mtu])),
    ),
    ...judgedRows(model),
  ];
  return lines.join('\n') + '\n';
}

/** The rows that both build the emulated lab (lab.sh, from the lab at its stage) and tell the checks
 *  what to judge (expect.sh repeats them from the final lab when the lab is stopped at a stage). */
export function judgedRows(model: LabModel): string[] {
  const stpBridges = model.vms.flatMap((vm) => vm.bridges.filter((b) => b.stp).map((b) => [vm.name, b.name, b.timers.forwardDelay, b.timers.maxAge]));
  return [
    '# container vm: where each container lives',
    `declare -A CONTAINER_VM=(${model.containers.map((c) => `[${c.name}]=${q(c.vm)}`).join(' ')})`,
    rowArray({ name: 'STP_BRIDGES', columns: ['vm', 'bridge', 'forward-delay', 'max-age'] }, stpBridges),
    rowArray(
      { name: 'STP_PORTS', columns: ['vm', 'bridge', 'port', 'expected-state', 'kind', 'link'], note: `(expected-state ${STP_FORWARDING} forwarding, ${STP_BLOCKING} blocking)` },
      stpPortRows(model),
    ),
    rowArray({ name: 'VRRP_GROUPS', columns: ['group', 'expected-master', 'preempt', 'vip...'] }, model.vrrp.map((g) => [g.name, g.expectedMaster, String(g.preempt), ...g.addresses])),
    rowArray({ name: 'VRRP_MEMBERS', columns: ['group', 'member'] }, model.vrrp.flatMap((g) => g.members.map((m) => [g.name, m.container]))),
    rowArray(
      { name: 'SERVICES', columns: ['service', 'vip', 'port', 'algorithm', 'group'], note: '(one row per VIP of each service; group: the VRRP group holding the VIP)' },
      model.services.flatMap((s) => serviceVips(model, s).map((v) => [s.name, v.vip, s.port, s.algorithm, v.group])),
    ),
    rowArray(
      { name: 'BALANCER_REACH', columns: ['balancer', 'service', 'server...'], note: '(backends the balancer reaches with every tunnel up)' },
      model.services.flatMap((s) => s.balancers.map((b) => [b.container, s.name, ...b.reachable])),
    ),
  ];
}
