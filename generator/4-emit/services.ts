// The service daemons' files of every container: VRRP, load balancing and the web page.
import type { Emitter } from './files.js';
import { emitHaproxy } from './haproxy.js';
import { emitKeepalived } from './keepalived.js';
import { emitWeb } from './web.js';
import { daemonFilesAtStage } from './stage-model.js';

export const emitServiceConfigs: Emitter = (ctx) => daemonFilesAtStage(ctx.model, [...emitKeepalived(ctx), ...emitHaproxy(ctx), ...emitWeb(ctx)]);
