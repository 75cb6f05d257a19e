// Every provider the generated Vagrantfile serves: one file works with either `--provider`.
import { libvirt } from './libvirt.js';
import type { ProviderModule } from './provider.js';
import { virtualbox } from './virtualbox.js';

export const PROVIDERS: ProviderModule[] = [virtualbox, libvirt];

/** Lab NICs a VM may have so that it boots with every provider. */
export const MAX_LAB_NICS = Math.min(...PROVIDERS.map((p) => p.maxLabNics));
