// containers/<bal>/haproxy.cfg: every service a balancer fronts, for haproxy in both worlds.
import { containerFilePath, daemonConfigFile } from '../families/images.js';
import type { LabModel } from '../3-resolve/model.js';
import type { EmitContext, OutputFile } from './files.js';

/** Preferred loopback port of the stats socket; each container has its own loopback, so one port fits all. */
export const HAPROXY_STATS_PORT = 9999;

function statsPort(used: Set<number>): number {
  let port = HAPROXY_STATS_PORT;
  while (used.has(port)) port -= 1;
  return port;
}

export function haproxyView(model: LabModel, container: string, provenance: string): object | undefined {
  const services = model.services.filter((s) => s.balancers.some((b) => b.container === container));
  if (services.length === 0) return undefined;
  return {
    provenance,
    container,
    statsPort: statsPort(new Set(services.map((s) => s.port))),
    services: services.map((s) => ({
      name: s.name,
      bind: `${s.bind}:${s.port}`,
      reachedThrough: s.vips.length ? `reached through ${s.vips.join(', ')} (VRRP)` : "reached on the balancers' own addresses",
      algorithm: s.algorithm,
      check: s.check,
      timeouts: s.timeouts,
      retries: s.retries,
      backends: s.backends.map((b) => ({ name: b.container, address: `${b.address}:${b.port}`, weight: b.weight })),
    })),
  };
}

export function emitHaproxy(ctx: EmitContext): OutputFile[] {
  return ctx.model.containers.flatMap((c) => {
    const view = haproxyView(ctx.model, c.name, ctx.provenance);
    return view ? [{ path: containerFilePath(c.name, daemonConfigFile('haproxy')), content: ctx.templates.render('services/haproxy.cfg.hbs', view) }] : [];
  });
}
