// One seeded pseudo-random generator for every randomised test, so a failure names a seed that
// reproduces it.

export type Rng = () => number;

/** mulberry32: 32-bit state, uniform in [0, 1); plenty to pick shapes and mutations. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
