// Name lookups over model lists. A lab with 1,000 containers made `list.find(x => x.name === n)`
// inside loops quadratic; one index per list (kept while the list lives) keeps emitting linear.
// Only for lists of the resolved model, which nothing changes once resolve has built it.
const positions = new WeakMap<readonly { name: string }[], Map<string, number>>();

/** The position of the first item called `name`, or -1. */
export function positionByName(list: readonly { name: string }[], name: string): number {
  let index = positions.get(list);
  if (!index) {
    index = new Map();
    for (let i = list.length - 1; i >= 0; i--) index.set(list[i]!.name, i); // the first one wins, as with find()
    positions.set(list, index);
  }
  return index.get(name) ?? -1;
}

/** The first item called `name`, like list.find((x) => x.name === name). */
export function byName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  const i = positionByName(list, name);
  return i === -1 ? undefined : list[i];
}
