// loopsThroughNonStpBridges answers from one block decomposition; this holds it to the plain
// definition (one union-find per bridge, quadratic but obviously right) on many random graphs,
// including parallel ports, hubs, isolated bridges and NIC endpoints.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loopsThroughNonStpBridges, type L2Graph, type L2Segment } from '../generator/lib/l2graph.js';
import { UnionFind } from '../generator/lib/union-find.js';
import { mulberry32 } from './support/rng.js';

function byDefinition(graph: L2Graph): { bridge: string; segments: string[] }[] {
  const found: { bridge: string; segments: string[] }[] = [];
  for (const [id, br] of graph.bridges) {
    if (br.stp) continue;
    const mine = graph.segments.filter((s) => s.attachments.some((a) => a.node === id));
    const twice = mine.find((s) => s.attachments.filter((a) => a.node === id).length > 1);
    if (twice) {
      found.push({ bridge: id, segments: [twice.id] });
      continue;
    }
    const uf = new UnionFind();
    for (const seg of graph.segments) for (const a of seg.attachments) if (a.node !== id) uf.union(`seg:${seg.id}`, a.node);
    let pair: string[] | undefined;
    for (let a = 0; a < mine.length && !pair; a++)
      for (let b = a + 1; b < mine.length && !pair; b++)
        if (uf.find(`seg:${(mine[a] as L2Segment).id}`) === uf.find(`seg:${(mine[b] as L2Segment).id}`)) pair = [(mine[a] as L2Segment).id, (mine[b] as L2Segment).id];
    if (pair) found.push({ bridge: id, segments: pair });
  }
  return found;
}

const rng = mulberry32;

function randomGraph(seed: number): L2Graph {
  const r = rng(seed);
  const nBridges = 1 + Math.floor(r() * 9);
  const bridges: L2Graph['bridges'] = new Map();
  for (let i = 0; i < nBridges; i++) bridges.set(`bridge:v${i}/b`, { vm: `v${i}`, bridge: 'b', stp: r() < 0.3, pointer: '' });
  const ids = [...bridges.keys()];
  const segments: L2Segment[] = [];
  const nSegments = Math.floor(r() * 14);
  for (let s = 0; s < nSegments; s++) {
    const size = r() < 0.8 ? 2 : 1 + Math.floor(r() * 4);
    const attachments = Array.from({ length: size }, (_, k) => ({ node: r() < 0.85 ? (ids[Math.floor(r() * ids.length)] as string) : `nic:x${s}/${k}`, ifname: `p${s}-${k}` }));
    segments.push({ id: `cable:s${s}`, kind: 'cable', pointer: '', attachments });
  }
  return { bridges, segments };
}

test('same answers as the definition on 3000 random graphs', () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const g = randomGraph(seed);
    assert.equal(loopsThroughNonStpBridges(g), byDefinition(g), `seed ${seed}`);
  }
});

test.run();
