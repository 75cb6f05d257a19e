// The service daemons' files of every container: VRRP, load balancing and the web page.
import type { Emitter } from './files.js';
import { emitHaproxy } from './haproxy.js';
import { emitKeepalived } from './keepalived.js';
import { emitWeb } from './web.js';

export const emitServiceConfigs: Emitter = (ctx) => [...emitKeepalived(ctx), ...emitHaproxy(ctx), ...emitWeb(ctx)];
