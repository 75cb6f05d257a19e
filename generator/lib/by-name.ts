// Name lookups over model lists. A lab with 1,000 containers made `list.find(x => x.name === n)`
// inside loops quadratic; one index per list (kept while the list lives) keeps emitting linear.
// Only for lists of the resolved model, which nothing changes once resolve has built it.
const indexes = new WeakMap<readonly { name: string }[], Map<string, { name: string }>>();
const positions = new WeakMap<readonly { name: string }[], Map<string, number>>();

function indexOf<T extends { name: string }>(list: readonly T[]): Map<string, T> {
  let index = indexes.get(list);
  if (!index) {
    index = new Map();
    for (const item of list) if (!index.has(item.name)) index.set(item.name, item); // first wins, as find() did
    indexes.set(list, index);
  }
  return index as Map<string, T>;
}

/** The first item called `name`, like list.find((x) => x.name === name). */
export function byName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  return indexOf(list).get(name);
}

/** The position of the first item called `name`, or -1. */
export function positionByName(list: readonly { name: string }[], name: string): number {
  let index = positions.get(list);
  if (!index) {
    index = new Map();
    list.forEach((item, i) => {
      if (!index!.has(item.name)) index!.set(item.name, i);
    });
    positions.set(list, index);
  }
  return index.get(name) ?? -1;
}
