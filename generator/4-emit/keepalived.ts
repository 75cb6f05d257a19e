// containers/<bal>/keepalived.conf: the VRRP instances of each balancer, for keepalived in both worlds.
import { containerFilePath, daemonConfigFile } from '../families/images.js';
import type { LabModel, VrrpGroupModel } from '../3-resolve/model.js';
import type { EmitContext, OutputFile } from './files.js';

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
const IFNAME_MAX = 15;

/**
 * Seconds between unsolicited gratuitous ARPs while master. With use_vmac the VIP's MAC never
 * changes, so this only repairs a neighbour that cached a wrong entry anyway (FACTS: refresh alone
 * cut the preemption outage to 3.3 s); one broadcast every 5 s is a negligible price.
 */
export const GARP_REFRESH_SECONDS = 5;

export function vmacName(group: VrrpGroupModel): string {
  const name = `vrrp.${group.vrid}`;
  if (Buffer.byteLength(name) > IFNAME_MAX) throw new Error(`VRRP group ${group.name}: VMAC interface name ${name} is longer than ${IFNAME_MAX} bytes`);
  return name;
}

export function keepalivedView(model: LabModel, container: string, provenance: string): object | undefined {
  const instances = model.vrrp.flatMap((g) =>
    g.members
      .filter((m) => m.container === container)
      .map((m) => ({
        name: g.name,
        nic: m.nic,
        vrid: g.vrid,
        priority: m.priority,
        advertInt: g.advertInt,
        nopreempt: !g.preempt,
        vmac: g.useVmac ? vmacName(g) : '',
        garpMasterDelay: g.garpMasterDelay,
        // With use_vmac the addresses belong on the VMAC interface, keepalived's default for it;
        // naming the base NIC would put them back behind the NIC's own MAC.
        addresses: g.addresses.map((a) => (g.useVmac ? `${a}/${g.prefix}` : `${a}/${g.prefix} dev ${m.nic}`)),
        stpListenLearn: g.stpListenLearn,
      })),
  );
  if (instances.length === 0) return undefined;
  const vmacs = instances.filter((i) => i.vmac).map((i) => i.vmac);
  const clash = vmacs.find((v, i) => vmacs.indexOf(v) !== i);
  if (clash) throw new Error(`container ${container}: two VRRP instances would share the VMAC interface ${clash}`);
  return { provenance, container, garpRefresh: GARP_REFRESH_SECONDS, instances };
}

export function emitKeepalived(ctx: EmitContext): OutputFile[] {
  return ctx.model.containers.flatMap((c) => {
    const view = keepalivedView(ctx.model, c.name, ctx.provenance);
    return view ? [{ path: containerFilePath(c.name, daemonConfigFile('keepalived')), content: ctx.templates.render('services/keepalived.conf.hbs', view) }] : [];
  });
}
