// MACs derived from names, so editing one part of a spec leaves every other MAC alone.
import { createHash } from 'node:crypto';

/** A locally administered unicast MAC from the hash of its path ("lab/node/nic"). */
export function deriveMac(...path: string[]): string {
  const h = createHash('sha256').update(path.join('/')).digest();
  const bytes = [((h[0] as number) & 0xfc) | 0x02, h[1], h[2], h[3], h[4], h[5]] as number[];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function plainMac(mac: string): string {
  return mac.replace(/:/g, '').toUpperCase();
}
