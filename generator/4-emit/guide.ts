// The lab guide, <lab>/README.md (and TEACHER.md when the answer keys are the teacher's only), plus
// the figures under diagrams/. This file computes facts from the model and no prose: every word a
// student reads is in templates/partials/guide/<language>/, which a course overrides file by file.
import type { LabModel } from '../3-resolve/model.js';
import type { EmitContext, Emitter, OutputFile } from './files.js';
import { buildFigure, FIGURE_WORDS, VIEWS, type FigureWords, type ViewId } from './figures.js';
import { templateWords } from './words.js';
import { MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, toMermaid } from './figure-text.js';
import { toSvg } from './figure-svg.js';
import type { TemplateSet } from './templates.js';
import { bootOrder } from './vagrantfile.js';
import { BOX_FAMILIES } from '../families/boxes.js';
import { IMAGE_FAMILIES } from '../families/images.js';
import { FINAL_STAGE } from '../rules/stages.js';
import { teachingView } from './guide-stages.js';
import { boxOrigin, laptopView, originFlags } from './guide-laptop.js';

/** FACTS: the oldest Vagrant that drives each VirtualBox release. */
export const VAGRANT_FOR_VIRTUALBOX = [
  { virtualbox: '7.0', vagrant: '2.3.2' },
  { virtualbox: '7.1', vagrant: '2.4.2' },
  { virtualbox: '7.2', vagrant: '2.4.9' },
] as const;
/** Headroom for VirtualBox itself and the host desktop, on top of the guests' memory. */
export const HOST_RAM_HEADROOM_MIB = 1024;

/** Whether the answer keys go to TEACHER.md: on request, and always in a lab stopped at a stage,
 *  whose guide must not solve the stages the student has left. */
export const keysForTeacher = (model: LabModel) => model.guide.teacherOnly || model.teaching.stage < FINAL_STAGE;

export const diagramPath = (view: ViewId) => `diagrams/${view}.svg`;

export function figureWords(model: LabModel, templates: TemplateSet): FigureWords {
  return templateWords(templates, `partials/guide/${model.language}/figure-words.hbs`, FIGURE_WORDS, 'figure words');
}

function addressRows(model: LabModel) {
  const rows: { subnet: string; ip: string; cidr: string; node: string; ifname: string; vrrp: string }[] = [];
  const add = (node: string, ifname: string, a: { ip: string; cidr: string; subnet: string }) => rows.push({ subnet: a.subnet, ip: a.ip, cidr: a.cidr, node, ifname, vrrp: '' });
  for (const vm of model.vms) {
    for (const b of vm.bridges) if (b.address) add(vm.name, b.name, b.address);
    for (const n of vm.nics) if (n.address) add(vm.name, n.guestName, n.address);
  }
  for (const c of model.containers) for (const n of c.nics) if (n.address) add(c.name, n.name, n.address);
  for (const g of model.vrrp) for (const vip of g.addresses) rows.push({ subnet: g.members[0]?.address.subnet ?? '', ip: vip, cidr: `${vip}/${g.prefix}`, node: '', ifname: '', vrrp: g.name });
  const ipNumber = (ip: string) => ip.split('.').reduce((n, x) => n * 256 + Number(x), 0);
  return rows.map((r) => ({ ...r, n: ipNumber(r.ip) })).sort((a, b) => (a.subnet < b.subnet ? -1 : a.subnet > b.subnet ? 1 : a.n - b.n));
}

/** The STP answer key of each domain: every port's role, and for each blocked port who wins its segment. */
function stpKeys(model: LabModel) {
  const cablePeer = new Map(model.vms.flatMap((vm) => vm.nics.map((n) => [`${vm.name}/${n.cable}`, n.peer] as const)));
  const bridgeOfNic = new Map(model.vms.flatMap((vm) => vm.nics.map((n) => [`${vm.name}/${n.guestName}`, n.bridge] as const)));
  const stpBridges = new Map<string, LabModel['vms'][number]['bridges']>();
  for (const vm of model.vms) for (const b of vm.bridges) if (b.stp) stpBridges.set(b.l2domain, [...(stpBridges.get(b.l2domain) ?? []), b]);
  return model.l2domains.flatMap((d) => {
    const stp = d.stp;
    if (!stp) return [];
    const bridges = stpBridges.get(d.id) ?? [];
    const costs = new Map(stp.rootCost.map((c) => [`${c.vm}/${c.bridge}`, c.cost]));
    const costOf = (vm: string, br: string) => costs.get(`${vm}/${br}`) ?? 0;
    const blocked = stp.blocked.map((b) => {
      const br = bridges.find((x) => x.vm === b.vm && x.name === b.bridge);
      const port = br?.ports.find((p) => p.ifname === b.port);
      const peer = port?.kind === 'cable' ? cablePeer.get(`${b.vm}/${port.link}`) : undefined;
      const peerBridge = peer ? bridgeOfNic.get(`${peer.vm}/${peer.nic}`) : undefined;
      const pb = peerBridge ? bridges.find((x) => x.vm === peer?.vm && x.name === peerBridge) : undefined;
      const ownCost = costOf(b.vm, b.bridge);
      const peerCost = pb ? costOf(pb.vm, pb.name) : 0;
      return {
        vm: b.vm,
        bridge: b.bridge,
        port: b.port,
        link: port?.link ?? '',
        ownCost,
        ownId: br?.bridgeId ?? '',
        peer: pb ? { vm: pb.vm, bridge: pb.name, cost: peerCost, bridgeId: pb.bridgeId, byCost: peerCost < ownCost } : undefined,
      };
    });
    return [
      {
        domain: d.id,
        root: stp.root,
        blocked,
        forwardDelay: stp.forwardDelay,
        listenLearn: 2 * stp.forwardDelay,
        maxAge: stp.maxAge,
        helloTime: stp.helloTime,
        recovery: stp.maxAge + 2 * stp.forwardDelay,
        bridges: bridges.map((b) => ({
          vm: b.vm,
          name: b.name,
          bridgeId: b.bridgeId,
          rootCost: costOf(b.vm, b.name),
          isRoot: b.vm === stp.root.vm && b.name === stp.root.bridge,
          rootPort: b.ports.find((p) => p.role === 'root')?.ifname ?? '',
          ports: b.ports.map((p) => ({ bridge: `${b.vm}/${b.name}`, bridgeId: b.bridgeId, portNo: p.portNo, ifname: p.ifname, kind: p.kind, link: p.link, cost: p.cost, role: p.role, blocked: p.role === 'blocked' })),
        })),
      },
    ];
  });
}

function vrrpKeys(model: LabModel) {
  return model.vrrp.map((g) => {
    const master = g.members.find((m) => m.container === g.expectedMaster);
    return {
      name: g.name,
      vrid: g.vrid,
      addresses: g.addresses,
      prefix: g.prefix,
      advertInt: g.advertInt,
      preempt: g.preempt,
      master: master ?? { container: g.expectedMaster, vm: '', nic: '', priority: 0 },
      backups: g.members.filter((m) => m.container !== g.expectedMaster).sort((a, b) => b.priority - a.priority),
      members: g.members,
      masterDownInterval: g.masterDownInterval.toFixed(2),
      garpMasterDelay: g.garpMasterDelay,
    };
  });
}

/** Each cable once, in model order, with its two ends and the VirtualBox internal network it becomes. */
function cables(model: LabModel) {
  const seen = new Set<string>();
  const out: { name: string; ends: { vm: string; nic: string; bridge: string; cidr: string }[]; intnet: string }[] = [];
  for (const vm of model.vms)
    vm.nics.forEach((n, i) => {
      if (seen.has(n.cable)) return;
      seen.add(n.cable);
      const peerVm = model.vms.find((v) => v.name === n.peer.vm);
      const peer = peerVm?.nics.find((p) => p.cable === n.cable);
      const end = (v: string, nic: typeof n | undefined) => ({ vm: v, nic: nic?.guestName ?? '', bridge: nic?.bridge ?? '', cidr: nic?.address?.cidr ?? '' });
      out.push({ name: n.cable, ends: [end(vm.name, n), end(n.peer.vm, peer)], intnet: vm.providers.virtualbox.nics[i]?.intnet ?? '' });
    });
  return out;
}

function services(model: LabModel) {
  return model.services.map((s) => {
    const masterName = model.vrrp.find((g) => s.balancers.some((b) => b.container === g.expectedMaster))?.expectedMaster ?? s.balancers[0]?.container ?? '';
    const mb = s.balancers.find((b) => b.container === masterName);
    return {
      name: s.name,
      port: s.port,
      algorithm: s.algorithm,
      listens: [...s.vips, s.bind].map((a) => `${a}:${s.port}`),
      url: `http://${s.vips[0] ?? s.bind}:${s.port}/`,
      balancers: s.balancers.map((b) => b.container),
      backends: s.backends,
      master: masterName,
      sourceAddress: mb?.sourceAddress ?? '',
      withoutTunnels: mb?.reachableWithoutTunnels ?? [],
      checkIntervalS: s.check.interMs / 1000,
      fall: s.check.fall,
      rise: s.check.rise,
      checkPath: s.check.path,
    };
  });
}

/** Beyond this many boxes a figure is no longer readable on a page: the lab folder leaves it out
 * (the tables hold the same facts; `gen-lab graph` still draws it), which also keeps big labs fast. */
export const FIGURE_MAX_NODES = 400;

function figures(ctx: EmitContext, words: FigureWords) {
  return VIEWS.map((view) => {
    const fig = buildFigure(view, ctx.model, words, !keysForTeacher(ctx.model));
    const nodes = fig.nodes.length;
    if (nodes > FIGURE_MAX_NODES) return { view, drawn: false, nodes, mermaid: '', edges: fig.edges.length, chars: 0, svg: '', fig };
    const m = toMermaid(fig);
    return { view, drawn: true, nodes, mermaid: m.text ?? '', edges: m.edges, chars: m.chars, svg: diagramPath(view), fig };
  });
}

function guideView(ctx: EmitContext, figs: ReturnType<typeof figures>) {
  const { model } = ctx;
  const guestMib = model.vms.reduce((sum, vm) => sum + vm.memory, 0);
  const client = model.vms.find((v) => v.role === 'client' && v.nics.some((n) => n.address));
  const hosts = model.vms.filter((vm) => vm.containers.length > 0).map((vm) => vm.name);
  return {
    title: model.title,
    description: model.description ?? '',
    name: model.name,
    language: model.language,
    teacherOnly: keysForTeacher(model),
    teaching: teachingView(ctx),
    firstVm: model.vms[0]?.name ?? '',
    client: client?.name ?? '',
    counts: { vms: model.vms.length, containers: model.containers.length, cables: new Set(model.vms.flatMap((v) => v.nics.map((n) => n.cable))).size },
    vms: model.vms.map((vm) => ({
      name: vm.name,
      role: vm.role,
      box: vm.box,
      boxVersion: vm.boxVersion ?? '',
      memory: vm.memory,
      cpus: vm.cpus,
      nat: vm.nat,
      description: vm.description ?? '',
      nics: vm.nics.map((n, i) => ({ vm: vm.name, adapter: vm.providers.virtualbox.nics[i]?.adapter ?? 0, intnet: vm.providers.virtualbox.nics[i]?.intnet ?? '', macPlain: vm.providers.virtualbox.nics[i]?.macPlain ?? '', cable: n.cable, peer: n.peer.vm, bridge: n.bridge ?? '', cidr: n.address?.cidr ?? '', mac: n.mac, guestName: n.guestName, promiscuous: n.promiscuous })),
    })),
    containers: model.containers.map((c) => ({ name: c.name, vm: c.vm, role: c.role, image: c.image, description: c.description ?? '', nics: c.nics.map((n) => ({ name: n.name, bridge: n.bridge, cidr: n.address?.cidr ?? '', mtu: n.mtu, mac: n.mac })) })),
    bridges: model.vms.flatMap((vm) => vm.bridges.map((b) => ({ vm: vm.name, name: b.name, stp: b.stp, priority: b.priority, timers: b.timers, cidr: b.address?.cidr ?? '', mtu: b.mtu, ports: b.ports }))),
    cables: cables(model),
    addresses: addressRows(model),
    subnets: model.subnets.map((s) => ({ name: s.name, cidr: `${s.network}/${s.prefix}`, description: s.description ?? '' })),
    vrrp: vrrpKeys(model),
    services: services(model),
    vxlan: model.vxlan,
    requirements: {
      guestMib,
      hostMib: guestMib + HOST_RAM_HEADROOM_MIB,
      hostGib: ((guestMib + HOST_RAM_HEADROOM_MIB) / 1024).toFixed(1),
      cpus: model.vms.reduce((sum, vm) => sum + vm.cpus, 0),
      ich9: model.vms.filter((vm) => vm.providers.virtualbox.chipset === 'ich9').map((vm) => vm.name),
      vagrant: VAGRANT_FOR_VIRTUALBOX,
      boxes: [...new Set(model.vms.map((vm) => (vm.boxVersion ? `${vm.box} ${vm.boxVersion}` : vm.box)))].sort(),
    },
    boot: { order: bootOrder(model).map((vm) => vm.name), hosts, noNat: model.vms.filter((vm) => !vm.nat).map((vm) => vm.name), sources: bootSources(model) },
    laptop: laptopView(model),
    emulation: { hosts },
    figures: Object.fromEntries(figs.map((f) => [f.view, { drawn: f.drawn, nodes: f.nodes, mermaid: f.mermaid, edges: f.edges, chars: f.chars, svg: f.svg, view: f.view }])),
    mermaidLimits: { edges: MERMAID_MAX_EDGES, chars: MERMAID_MAX_TEXT },
    figureLimit: FIGURE_MAX_NODES,
    stp: stpKeys(model),
    hasStp: model.l2domains.some((d) => d.stp),
    hasKeys: model.l2domains.some((d) => d.stp) || model.vrrp.length > 0,
  };
}

/**
 * Where each box and image comes from, for the README's boot section: a box in the lab folder's
 * catalog (gen-lab's own, written by `gen-lab pack`), named by a course's catalog or file (boxUrl)
 * or by the Vagrant registry (HCP Vagrant, closing), and whether an image ships in the lab folder
 * or is downloaded from an image server when the containers are built.
 */
function bootSources(model: LabModel) {
  type BoxRow = { box: string; version: string; family: string; lxdSnap: boolean; url: string; checksum: boolean; vms: string[] } & ReturnType<typeof originFlags>;
  const boxes = new Map<string, BoxRow>();
  for (const vm of model.vms) {
    const key = `${vm.box} ${vm.boxVersion ?? ''} ${vm.boxUrl ?? ''}`;
    const row = boxes.get(key) ?? { box: vm.box, version: vm.boxVersion ?? '', family: vm.boxFamily, lxdSnap: BOX_FAMILIES[vm.boxFamily].lxd.source === 'snap', url: vm.boxUrl ?? '', checksum: !!vm.boxChecksum, vms: [], ...originFlags(boxOrigin(vm)) };
    row.vms.push(vm.name);
    boxes.set(key, row);
  }
  const images = new Map<string, { image: string; family: string; packageManager: string; init: string; local: boolean; containers: string[] }>();
  for (const c of model.containers) {
    const row = images.get(c.image) ?? { image: c.image, family: c.imageFamily, packageManager: IMAGE_FAMILIES[c.imageFamily].packageManager, init: IMAGE_FAMILIES[c.imageFamily].init, local: c.localImage, containers: [] };
    row.containers.push(c.name);
    images.set(c.image, row);
  }
  const boxRows = [...boxes.values()];
  const imageRows = [...images.values()];
  return { boxes: boxRows, images: imageRows, anyRegistry: boxRows.some((b) => b.registry), anyFolder: boxRows.some((b) => b.folder), anyRemoteImage: imageRows.some((i) => !i.local) };
}

export const emitGuide: Emitter = (ctx) => {
  const words = figureWords(ctx.model, ctx.templates);
  const figs = figures(ctx, words);
  const view = { provenance: ctx.provenance, ...guideView(ctx, figs) };
  const files: OutputFile[] = [{ path: 'README.md', content: ctx.templates.render('guide/README.md.hbs', view) }];
  if (keysForTeacher(ctx.model)) files.push({ path: 'TEACHER.md', content: ctx.templates.render('guide/TEACHER.md.hbs', view) });
  for (const f of figs) if (f.drawn) files.push({ path: f.svg, content: toSvg(f.fig, `${ctx.model.name}: ${f.view}`) });
  return files;
};
