// containers/<bal>/keepalived.conf: the VRRP instances of each balancer, for keepalived in both worlds.
import { containerFilePath, daemonConfigFile } from '../families/images.js';
import type { LabModel } from '../3-resolve/model.js';
import type { EmitContext, OutputFile } from './files.js';

/**
 * Seconds between unsolicited gratuitous ARPs while master. The gratuitous ARPs sent when two
 * masters meet (keepalived.conf.hbs) move the VIP at once; this only repairs a neighbour that
 * cached a wrong entry anyway (FACTS: refresh alone cut the preemption outage to 3.3 s); one
 * broadcast every 5 s is a negligible price.
 */
export const GARP_REFRESH_SECONDS = 5;

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
        garpMasterDelay: g.garpMasterDelay,
        addresses: g.addresses.map((a) => `${a}/${g.prefix} dev ${m.nic}`),
        stpListenLearn: g.stpListenLearn,
      })),
  );
  if (instances.length === 0) return undefined;
  return { provenance, container, garpRefresh: GARP_REFRESH_SECONDS, instances };
}

export function emitKeepalived(ctx: EmitContext): OutputFile[] {
  return ctx.model.containers.flatMap((c) => {
    const view = keepalivedView(ctx.model, c.name, ctx.provenance);
    return view ? [{ path: containerFilePath(c.name, daemonConfigFile('keepalived')), content: ctx.templates.render('services/keepalived.conf.hbs', view) }] : [];
  });
}
