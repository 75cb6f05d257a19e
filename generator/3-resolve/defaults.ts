// Defaults the spec may leave out, in one place so the lab guide can cite them.
import type { StpTimers } from './model.js';

/** gen-lab's own box (`gen-lab box build`), found in the lab folder's boxes/ (`gen-lab pack`) or a
 * course catalog (boxUrl): registry names stop resolving when HCP Vagrant closes on 2026-12-31.
 * Debian 12 is supported by Debian LTS until 2028-06-30, through the courses of 2027. */
export const DEFAULT_BOX = 'gen-lab/debian12';
/** gen-lab's own container image (`gen-lab image build`), shipped in the lab folder's images/. */
export const DEFAULT_IMAGE = 'images/gen-lab-debian12.tar.gz';
export const DEFAULT_MEMORY = { host: 1536, switch: 512, client: 512 } as const;
export const DEFAULT_CPUS = 1;
export const DEFAULT_STP: StpTimers = { forwardDelay: 15, helloTime: 2, maxAge: 20 };
export const DEFAULT_BRIDGE_PRIORITY = 32768;
export const DEFAULT_PORT_COST = 100;
export const DEFAULT_PORT_PRIORITY = 32;
export const DEFAULT_MTU = 1500;
export const VXLAN_OVERHEAD = 50;
export const DEFAULT_VXLAN_PORT = 4789;
export const HAPROXY_CONNECT_TIMEOUT_MS = 1000;
export const HAPROXY_CLIENT_SERVER_TIMEOUT_MS = 30000;
export const HAPROXY_RETRIES = 3;
/** keepalived's own default delay of the second round of gratuitous ARPs. */
export const KEEPALIVED_DEFAULT_GARP_DELAY = 5;

/** Checkpoint weights, in percent, when the spec gives none: equal (the handout's are 25/30/30/15, in its spec). */
export const STAGE_WEIGHTS = [0, 25, 25, 25, 25] as const;
