// What the checkpoints and the fault matrix expect, as bash assignments (emulate/checks/expect.sh),
// with each fault's theoretical client-observed outage bound computed from the model's timers.
// Every list is derived from the model for any lab: one row per service VIP, per (balancer,
// service), per VRRP group, per inter-switch cable, per fault; the checks loop over the rows and
// never take "the first" of anything.
import type { BridgeModel, BridgePortModel, CableEndModel, L2Endpoint, LabModel, ServiceModel, VrrpGroupModel } from '../3-resolve/model.js';
import { prepareStp, runStp, type PreparedStp, type StpBridgeInput } from '../lib/stp.js';
import { clientVm, judgedRows, serviceVips } from './emulate-data.js';
import { FINAL_STAGE, stagePlan, type Stage } from '../rules/stages.js';
import { rowArray } from './bash-rows.js';
import { settleBounds } from './settle.js';
import { htmlText, shellQuote as q } from './escape.js';
import { byName } from '../lib/by-name.js';

const seconds = (s: number) => String(Math.round(s * 100) / 100);
/** A comma list for one row field ('-' when empty: bash `read` cannot keep an empty field). */
const list = (xs: string[]) => (xs.length ? xs.join(',') : '-');

interface InterSwitchCable {
  cable: string;
  a: { vm: string; nic: string; bridge: string };
  b: { vm: string; nic: string; bridge: string };
  onTree: boolean;
  /** The L2 domain stays connected without this cable: STP can repair its loss. */
  redundant: boolean;
  domain: string;
}

/** Cables whose two ends are ports of bridges with STP: the ones whose loss STP must repair. */
export function interSwitchCables(model: LabModel): InterSwitchCable[] {
  const out: InterSwitchCable[] = [];
  const stpPort = (e: CableEndModel) => byName(model.vms, e.vm)?.bridges.find((b) => b.name === e.bridge && b.stp)?.ports.find((p) => p.ifname === e.nic);
  for (const { name, a, b } of model.cables) {
    const pa = stpPort(a);
    const pb = stpPort(b);
    if (!pa || !pb) continue;
    out.push({
      cable: name,
      a: { vm: a.vm, nic: a.nic, bridge: a.bridge as string },
      b: { vm: b.vm, nic: b.nic, bridge: b.bridge as string },
      onTree: pa.role !== 'blocked' && pb.role !== 'blocked',
      redundant: false,
      domain: a.l2domain,
    });
  }
  // A cable is redundant when its two bridges stay connected through the other cables: one search
  // per cable over an adjacency list (a scan of every cable at every step was cubic in big labs).
  const end = (e: InterSwitchCable['a']) => `${e.vm}/${e.bridge}`;
  const adjacent = new Map<string, InterSwitchCable[]>();
  for (const c of out) for (const e of [end(c.a), end(c.b)]) adjacent.set(e, [...(adjacent.get(e) ?? []), c]);
  for (const c of out) {
    const seen = new Set([end(c.a)]);
    const todo = [end(c.a)];
    while (todo.length && !seen.has(end(c.b))) {
      const at = todo.pop() as string;
      for (const o of adjacent.get(at) ?? []) {
        if (o === c) continue;
        for (const e of [end(o.a), end(o.b)]) if (!seen.has(e)) (seen.add(e), todo.push(e));
      }
    }
    c.redundant = seen.has(end(c.b));
  }
  return out;
}

/**
 * The blocked ports ("vm/bridge/port") of the tree STP converges to without cable `c`, by the same
 * computation that predicts the lab's tree; undefined when a port's LAN is not known from the
 * model alone (a cable to a bridge without STP, which passes BPDUs like a hub, or a VXLAN port).
 */
function blockedWithout(domain: DomainTree | undefined, c: InterSwitchCable): string[] | undefined {
  if (!domain) return undefined;
  const cut = domain.stp.lanIndex.get(`cable:${c.cable}`);
  if (cut === undefined) throw new Error(`the STP inputs have no LAN for cable ${c.cable}`);
  // A cable off the tree carries no root path (one end blocks, the other is designated): without it
  // every root cost, root port and other LAN's designated port stay, so the model's tree loses only
  // its blocked end.
  if (!c.onTree) return domain.blocked.filter((p) => p.lan !== cut).map((p) => p.name);
  const { roles } = runStp(domain.stp, cut);
  const blocked: string[] = [];
  domain.stp.ports.forEach((p, i) => {
    if (roles[i] === 'blocked') blocked.push(`${(domain.stp.bridges[p.bridge] as StpBridgeInput).key}/${p.ifname}`);
  });
  return blocked.sort();
}

/**
 * The STP inputs of one L2 domain's bridges, prepared once per domain (no cut changes a port's
 * LAN), and the ports the model's tree blocks ("vm/bridge/port", sorted, with their LAN number);
 * undefined when a port's LAN is not known from the model alone.
 */
interface DomainTree {
  stp: PreparedStp;
  blocked: { name: string; lan: number }[];
}
function domainTree(model: LabModel, domain: string): DomainTree | undefined {
  const cables = new Map(model.cables.map((x) => [x.name, x]));
  const stpBridges = new Set(model.vms.flatMap((vm) => vm.bridges.filter((b) => b.stp).map((b) => `${vm.name}/${b.name}`)));
  const lanOf = (b: BridgeModel, p: BridgePortModel): string | undefined => {
    if (p.kind === 'container') return `lone:${b.vm}/${p.ifname}`;
    if (p.kind !== 'cable') return undefined;
    const cable = cables.get(p.link);
    const peer = cable && (cable.a.vm === b.vm && cable.a.nic === p.ifname ? cable.b : cable.a);
    if (!cable || !peer) return undefined;
    if (!peer.bridge) return `lone:${b.vm}/${p.ifname}`;
    return stpBridges.has(`${peer.vm}/${peer.bridge}`) ? `cable:${cable.name}` : undefined;
  };
  const inputs: StpBridgeInput[] = [];
  const blocked: { name: string; lanName: string }[] = [];
  for (const b of model.vms.flatMap((vm) => vm.bridges.filter((x) => x.stp && x.l2domain === domain))) {
    const ports = [];
    for (const p of b.ports) {
      const lan = lanOf(b, p);
      if (lan === undefined) return undefined;
      // A port alone on its LAN (a container's, a cable to a NIC) is designated whatever the cut
      // and offers no path to another bridge: leaving it out changes no role and saves most ports.
      if (lan.startsWith('lone:')) continue;
      ports.push({ ifname: p.ifname, portNo: p.portNo, priority: p.priority, cost: p.cost, lan });
      if (p.role === 'blocked') blocked.push({ name: `${b.vm}/${b.name}/${p.ifname}`, lanName: lan });
    }
    inputs.push({ key: `${b.vm}/${b.name}`, bridgeId: b.bridgeId, ports });
  }
  const stp = prepareStp(inputs);
  const byPortName = (x: { name: string }, y: { name: string }) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  return { stp, blocked: blocked.map(({ name, lanName }) => ({ name, lan: stp.lanIndex.get(lanName) as number })).sort(byPortName) };
}

/** "vm:ifname" of every VXLAN device of a segment. */
function vxlanDevices(model: LabModel, segment: string): string[] {
  return model.vms.flatMap((v) => v.vxlans.filter((x) => x.segment === segment).map((x) => `${v.name}:${x.ifname}`));
}

/** A VRRP group answers once every member's keepalived runs. */
const vrrpStage = (plan: ReturnType<typeof stagePlan>, g: VrrpGroupModel): Stage => Math.max(...g.members.map((m) => plan.daemon(m.container, 'keepalived'))) as Stage;


/**
 * Longest a client probe request lasts (curl -m): the probe's next request starts when it ends.
 * A request haproxy holds (retrying a server not yet DOWN) fails only at this limit.
 */
const PROBE_MAX_S = 2;

/**
 * Seconds haproxy needs to mark a stopped server DOWN. The server refuses at once, so each check
 * fails at once: the next check starts at most inter after the last good one ended (haproxy
 * schedules a check inter after the previous one ends), and fall of them in a row mark it DOWN.
 */
const refusedDownSeconds = (s: ServiceModel) => (s.check.interMs * s.check.fall) / 1000;

/**
 * Seconds haproxy needs to mark a server DOWN whose packets vanish (its tunnel is down): each
 * check waits its connect timeout (min(timeout connect, inter) when timeout check is set) before
 * it fails, then the next starts inter later; a check already connected when the path vanished
 * waits timeout check for its answer instead.
 */
function droppedDownSeconds(s: ServiceModel): number {
  const each = s.check.interMs + Math.min(s.timeouts.connectMs, s.check.interMs);
  return Math.max(s.check.fall * each, s.timeouts.checkMs + (s.check.fall - 1) * each) / 1000;
}

/**
 * Client-observed outage of a server fault: until the server is DOWN requests sent to it fail;
 * the last one, sent just before, is held by haproxy's retries to that server until the probe
 * gives up (PROBE_MAX_S), and only then does the probe send the next, answered, request.
 */
const serverFaultBound = (down: number) => down + PROBE_MAX_S;

/**
 * Seconds until a service whose balancer reaches servers through a VXLAN tunnel serves again once
 * a cut underlay path is back: a request sent before then is held by haproxy until the probe
 * gives up, or, when the cut outlasted the checks and its servers are DOWN, they come back UP
 * after rise good checks (the check in flight when the path returns still times out first).
 */
function tunnelledBack(model: LabModel): number {
  const tunnelled = model.services.filter((s) => s.balancers.some((b) => b.reachable.length > b.reachableWithoutTunnels.length));
  const up = (s: ServiceModel) => (Math.min(s.timeouts.connectMs, s.check.interMs) + s.check.rise * s.check.interMs) / 1000;
  return tunnelled.length ? Math.max(PROBE_MAX_S, ...tunnelled.map(up)) : 0;
}

/**
 * Repair bound of a VRRP fault: when the member is back, a VIP may move to it (by preemption, or
 * because it turned master by silence while its port listened and learned and then wins on
 * priority); a VIP moving between two live members moves within one advert interval.
 */
const vipReturn = (groups: LabModel['vrrp']) => Math.max(0, ...groups.map((g) => g.advertInt));

/** Marks a FAULTS field that faults.sh computes from the VIP holders when the fault starts. */
const HELD = 'held';

/** A lab stopped at a stage has only that stage's rows in lab.sh; the checkpoints judge the final lab. */
function finalLabRows(model: LabModel): string[] {
  if (model.teaching.stage === FINAL_STAGE) return [];
  return ["# The final lab's rows (lab.sh holds the lab as built at its stage): what the checkpoints judge.", ...judgedRows(model)];
}

export function checksData(model: LabModel): string {
  const client = clientVm(model);
  const clientDomain = model.vms.find((v) => v.name === client)?.nics.find((n) => n.address)?.l2domain;
  const domain = model.l2domains.find((d) => d.id === clientDomain);
  const plan = stagePlan(model);
  const endpointStage = (e: L2Endpoint): Stage => (e.kind === 'bridge' ? plan.bridge(e.node, e.ifname) : e.kind === 'vm-nic' ? plan.vmNicAddress(e.node, e.ifname) : plan.containerNic(e.node, e.ifname));
  const extAddrStages: [string, Stage][] = [
    ...(domain?.endpoints ?? []).filter((e) => e.address && e.node !== client).map((e) => [e.address?.ip as string, endpointStage(e)] as [string, Stage]),
    ...model.vrrp.filter((g) => g.l2domain === clientDomain).flatMap((g) => g.addresses.map((a) => [a, vrrpStage(plan, g)] as [string, Stage])),
  ];
  const extAddrs = extAddrStages.map(([a]) => a);
  const stp = (id: string) => model.l2domains.find((d) => d.id === id)?.stp;
  const url = (vip: string, port: number) => `${vip}:${port}`;
  const urlsOf = (pred: (s: ServiceModel, vip: { vip: string; group: string; master: string }) => boolean) =>
    model.services.flatMap((s) => serviceVips(model, s).filter((v) => pred(s, v)).map((v) => url(v.vip, s.port)));
  const groupOf = (name: string) => model.vrrp.find((g) => g.name === name);

  // FAULTS: kind target bound repair-bound probes down args... (args of a cable: vmA nicA vmB nicB
  // and the ports blocked once STP has converged without it, '?' when not predictable; of a web
  // server: the services it serves; probes: the vip:port a client requests while the fault lasts,
  // the ones this element carries; down: the vip:port expected to fail while it lasts; bounds in
  // seconds of client-observed outage; HELD: computed when the fault starts from the VIP holders.)
  const faults: string[][] = [];
  const cables = interSwitchCables(model);
  const domainTrees = new Map<string, DomainTree | undefined>();
  for (const c of cables) {
    if (!c.redundant) continue;
    if (!domainTrees.has(c.domain)) domainTrees.set(c.domain, domainTree(model, c.domain));
    const t = stp(c.domain);
    // Lost on the tree: max age for the bridge with the alternate path to forget the root path
    // it stored on that port, then up to one hello time before it sends the root's BPDU there
    // (the kernel sends nothing when the stored information expires: it relays the root's next
    // BPDU, or answers the cut-off bridge's next inferior one), then listening and learning.
    // Back: the restored port listens and learns while the ports it replaces block at once, then
    // MAC entries learnt on the old path last one short (topology change) ageing period of
    // forward delay. 802.1D has no faster way back: the kernel bridge has no edge ports or RSTP.
    // Either way the VXLAN underlay crosses the domain: a service served through a tunnel
    // needs its own time back once the path is (tunnelledBack).
    const bound = c.onTree && t ? t.maxAge + t.helloTime + 2 * t.forwardDelay + tunnelledBack(model) : 0;
    const repair = c.onTree && t ? 3 * t.forwardDelay + tunnelledBack(model) : 0;
    const probes = urlsOf((_, v) => groupOf(v.group)?.l2domain === c.domain);
    const blocked = blockedWithout(domainTrees.get(c.domain), c);
    faults.push(['cable', c.cable, seconds(bound), seconds(repair), list(probes), '-', c.a.vm, c.a.nic, c.b.vm, c.b.nic, blocked ? list(blocked) : '?']);
  }
  // One external-link fault per balancer NIC that carries VRRP: every group it is a member of.
  const memberNics = [...new Map(model.vrrp.flatMap((g) => g.members.map((m) => [`${m.container}/${m.nic}`, m] as const))).values()];
  for (const m of memberNics) {
    const groups = model.vrrp.filter((g) => g.members.some((x) => x.container === m.container && x.nic === m.nic));
    const hostIf = byName(model.containers, m.container)?.nics.find((n) => n.name === m.nic)?.hostName ?? '';
    const probes = urlsOf((_, v) => groups.some((g) => g.name === v.group));
    faults.push(['ext-link', m.container, HELD, seconds(vipReturn(groups)), list(probes), '-', m.vm, hostIf, groups.map((g) => g.name).join(',')]);
  }
  for (const bal of [...new Set(model.vrrp.flatMap((g) => g.members.map((m) => m.container)))]) {
    const groups = model.vrrp.filter((g) => g.members.some((x) => x.container === bal));
    const probes = urlsOf((_, v) => groups.some((g) => g.name === v.group));
    faults.push(['keepalived', bal, HELD, seconds(vipReturn(groups)), list(probes), '-', groups.map((g) => g.name).join(',')]);
  }
  // Which VIPs a server or tunnel fault takes down depends on the balancer that holds each VIP
  // when it starts (a group without preemption keeps the holder an earlier fault moved it to):
  // faults.sh splits the services' VIPs into probes and expected-down ones from BALANCER_VIEW.
  for (const c of model.containers.filter((x) => x.role === 'web')) {
    const svc = model.services.filter((s) => s.backends.some((b) => b.container === c.name));
    if (!svc.length) continue;
    const bound = serverFaultBound(Math.max(0, ...svc.map(refusedDownSeconds)));
    // Back: haproxy sends it requests only once rise checks pass, and closes each server connection
    // after its response (haproxy.cfg), so a restarted server loses nothing.
    faults.push(['web', c.name, seconds(bound), '0', HELD, HELD, svc.map((s) => s.name).join(',')]);
  }
  for (const seg of model.vxlan) {
    const bound = serverFaultBound(Math.max(0, ...model.services.map(droppedDownSeconds)));
    faults.push(['vxlan', seg.name, seconds(bound), '0', HELD, HELD, ...vxlanDevices(model, seg.name)]);
  }

  const servers = [...new Map(model.services.flatMap((s) => s.backends.map((b) => [b.container, [b.container, b.address, b.port]] as const))).values()];
  const settle = settleBounds(model);
  const lines = [
    '# The stage the lab was generated at (teaching mode); each checkpoint judges its own stage.',
    `LAB_STAGE=${model.teaching.stage}`,
    ...finalLabRows(model),
    rowArray(
      { name: 'CONTAINER_NIC_FACTS', columns: ['container', 'nic', 'address', 'stage'], note: "(what finds a container NIC and its host-side veth, whatever\nnames the student gives them: its address; '-' without one)" },
      model.containers.flatMap((c) => c.nics.map((n) => [c.name, n.name, n.address?.ip ?? '-', plan.containerNic(c.name, n.name)])),
    ),
    `# Bounds used for waits: generous multiples of the model's timers, never a speed target.`,
    `STP_SETTLE=${settle.stp}`,
    `VRRP_SETTLE=${settle.vrrp}`,
    `HAPROXY_SETTLE=${settle.haproxy}`,
    `REACH_SETTLE=${settle.reach}`,
    '# longest a client probe request lasts (curl -m), in seconds',
    `PROBE_MAX_TIME=${PROBE_MAX_S}`,
    rowArray(
      { name: 'STP_ROOTS', columns: ['vm', 'bridge', 'expected-root-id', 'bridge-id', 'root-vm', 'root-bridge'], note: '(the root bridge id every STP bridge should see,\nits own id, and where the root is)' },
      model.vms.flatMap((v) =>
        v.bridges.filter((b) => b.stp).map((b) => {
          const root = stp(b.l2domain)?.root;
          return [v.name, b.name, root?.bridgeId ?? '', b.bridgeId, root?.vm ?? '', root?.bridge ?? ''];
        }),
      ),
    ),
    '# addresses the client must reach on its LAN, and the stage that gives each its address',
    `EXT_ADDRS=(${extAddrs.map(q).join(' ')})`,
    `declare -A ADDR_STAGE=(${extAddrStages.map(([a, st]) => `[${a}]=${st}`).join(' ')})`,
    rowArray(
      { name: 'INTER_SWITCH_CABLES', columns: ['cable', 'vmA', 'nicA', 'vmB', 'nicB', 'on-tree', 'redundant'], note: '(1|0; redundant: the domain stays connected without it)' },
      cables.map((c) => [c.cable, c.a.vm, c.a.nic, c.b.vm, c.b.nic, c.onTree ? 1 : 0, c.redundant ? 1 : 0]),
    ),
    rowArray(
      { name: 'VRRP_LINKS', columns: ['group', 'member', 'vm', 'host-side-veth', 'member-address'], note: '(host-side-veth: of its VRRP NIC)' },
      model.vrrp.flatMap((g) => g.members.map((m) => [g.name, m.container, m.vm, byName(model.containers, m.container)?.nics.find((n) => n.name === m.nic)?.hostName ?? '', m.address.ip])),
    ),
    rowArray(
      {
        name: 'VRRP_TIMING',
        columns: ['group', 'master-down-interval', 'advert-interval', 'returns'],
        note: "(master|backup: who holds the VIP once the\nmaster's link is back; without preemption the master still returns when its port listens and\nlearns longer than the master-down interval: it hears no adverts and turns master by silence)",
      },
      model.vrrp.map((g) => [g.name, seconds(g.masterDownInterval), seconds(g.advertInt), g.preempt || g.stpListenLearn >= g.masterDownInterval ? 'master' : 'backup']),
    ),
    rowArray(
      { name: 'BALANCER_VIEW', columns: ['balancer', 'service', 'source-address', 'reachable...', '|', 'reachable-without-tunnels...'], note: '(servers in backend order)' },
      model.services.flatMap((s) => s.balancers.map((b) => [b.container, s.name, b.sourceAddress, ...b.reachable, '|', ...b.reachableWithoutTunnels])),
    ),
    rowArray({ name: 'SERVERS', columns: ['server', 'address', 'port'] }, servers),
    '# heading each server\'s page shows (HTML-escaped, as the page prints it)',
    `declare -A HEADING=(${model.containers.filter((c) => c.pageHeading !== undefined).map((c) => `[${c.name}]=${q(htmlText(c.pageHeading as string))}`).join(' ')})`,
    rowArray({ name: 'VXLAN_DEVICES', columns: ['segment', 'vni', 'vm:device...'] }, model.vxlan.map((s) => [s.name, s.vni, ...vxlanDevices(model, s.name)])),
    rowArray(
      {
        name: 'FAULTS',
        columns: ['kind', 'target', 'bound', 'repair-bound', 'probes', 'down', 'args...'],
        note: `(the fault matrix, one fault per line;\nprobes: vip:port list the faulted element carries, requested while it lasts; down: vip:port\nlist expected to fail while it lasts; '-' for none; bounds in seconds of client-observed outage;\n${HELD}: computed when the fault starts from the VIP holders then)`,
      },
      faults,
    ),
  ];
  return lines.join('\n') + '\n';
}
