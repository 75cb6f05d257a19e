// A figure laid out as SVG, with no browser and no dependency: nodes in columns (rank) and bands
// (a VM each in the machines and wiring views), text measured as monospace, straight lines between
// columns and arcs within one, edge labels on an opaque tag beside their line. Integer coordinates
// and a fixed drawing order make the output the same bytes for the same figure.
import { htmlText as escapeText } from './escape.js';

const htmlText = (s: string) => (/[&<>"']/.test(s) ? escapeText(s) : s);
import type { FigEdge, Figure, FigNode } from './figures.js';

const FONT = 12;
const CHAR_W = 7.3; // DejaVu Sans Mono / Liberation Mono at 12px: 7.2-7.3 px per character
const LINE_H = 16;
const PAD_X = 10;
const PAD_Y = 6;
const ROW_GAP = 16;
const BAND_GAP = 26;
const GROUP_PAD = 10;
const GROUP_TITLE = 22;
const MARGIN = 16;
const LABEL_FONT = 11;
const LABEL_CHAR_W = 6.7;

const FILL: Record<FigNode['shape'], string> = { box: '#e8f0fe', round: '#e6f4ea', net: '#fff4d6', vip: '#fde7e7', port: '#f3f3f3' };

interface Placed {
  node: FigNode;
  x: number;
  y: number;
  w: number;
  h: number;
}

const r = (n: number) => String(Math.round(n));

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
const textWidth = (s: string, cw: number) => [...s].length * cw;

function size(n: FigNode): { w: number; h: number } {
  const extra = n.shape === 'net' ? 16 : n.shape === 'round' || n.shape === 'vip' ? 12 : 0;
  return { w: Math.ceil(Math.max(...n.lines.map((l) => textWidth(l, CHAR_W)), 40) + 2 * PAD_X + extra), h: n.lines.length * LINE_H + 2 * PAD_Y };
}

export function layout(fig: Figure): { placed: Map<string, Placed>; width: number; height: number; groups: { title: string; x: number; y: number; w: number; h: number }[] } {
  const ranks = [...new Set(fig.nodes.map((n) => n.rank))].sort((a, b) => a - b);
  const bands = [...new Set(fig.nodes.map((n) => n.band))].sort((a, b) => a - b);
  const sizes = new Map(fig.nodes.map((n) => [n.id, size(n)]));
  const colW = new Map<number, number>();
  for (const n of fig.nodes) colW.set(n.rank, Math.max(colW.get(n.rank) ?? 0, sizes.get(n.id)?.w ?? 0));
  // Wide enough that every label fits on its line between the columns, where the label sits.
  const need = fig.edges.map((e) => (e.label ? (textWidth(e.label, LABEL_CHAR_W) + 8) / (2 * Math.min(e.labelAt ?? 0.5, 1 - (e.labelAt ?? 0.5))) + 16 : 0));
  const gap = Math.round(Math.min(Math.max(90, ...need), 300));
  const colX = new Map<number, number>();
  let x = MARGIN + (fig.groups.length ? GROUP_PAD : 0);
  for (const rk of ranks) {
    colX.set(rk, x);
    x += (colW.get(rk) ?? 0) + gap;
  }
  const width = x - gap + MARGIN + (fig.groups.length ? GROUP_PAD : 0);
  const placed = new Map<string, Placed>();
  const groups: { title: string; x: number; y: number; w: number; h: number }[] = [];
  const byBand = new Map<number, FigNode[]>();
  for (const n of fig.nodes) if (!n.float) pushTo(byBand, n.band, n);
  const groupById = new Map(fig.groups.map((g) => [g.id, g]));
  let y = MARGIN;
  for (const band of bands) {
    const inBand = byBand.get(band) ?? [];
    const titled = [...new Set(inBand.flatMap((n) => (n.group ? [n.group] : [])))].flatMap((id) => groupById.get(id) ?? []);
    const top = y + (titled.length ? GROUP_TITLE + GROUP_PAD : 0);
    const byRank = new Map<number, FigNode[]>();
    for (const n of inBand) pushTo(byRank, n.rank, n);
    const columns = ranks.map((rk) => byRank.get(rk) ?? []);
    const heights = columns.map((c) => c.reduce((h, n) => h + (sizes.get(n.id)?.h ?? 0), 0) + Math.max(0, c.length - 1) * ROW_GAP);
    const bandH = Math.max(0, ...heights);
    columns.forEach((col, i) => {
      const rk = ranks[i] as number;
      let cy = top + (bandH - (heights[i] ?? 0)) / 2;
      for (const n of col) {
        const s = sizes.get(n.id) as { w: number; h: number };
        placed.set(n.id, { node: n, x: Math.round((colX.get(rk) ?? 0) + ((colW.get(rk) ?? 0) - s.w) / 2), y: Math.round(cy), w: s.w, h: s.h });
        cy += s.h + ROW_GAP;
      }
    });
    for (const g of titled) {
      const members = inBand.filter((n) => n.group === g.id).map((n) => placed.get(n.id) as Placed);
      const gx = Math.min(...members.map((p) => p.x)) - GROUP_PAD;
      const gx2 = Math.max(...members.map((p) => p.x + p.w)) + GROUP_PAD;
      const gx2t = Math.max(gx2, gx + textWidth(g.title, CHAR_W) + 2 * GROUP_PAD);
      groups.push({ title: g.title, x: gx, y: y, w: gx2t - gx, h: top + bandH + GROUP_PAD - y });
    }
    y = top + bandH + (titled.length ? GROUP_PAD : 0) + BAND_GAP;
  }
  // Floating nodes: at the mean height of their neighbours, pushed down so none overlaps the one above.
  const floats = fig.nodes.filter((n) => n.float);
  const neighbours = new Map<string, string[]>();
  for (const e of fig.edges) {
    pushTo(neighbours, e.from, e.to);
    pushTo(neighbours, e.to, e.from);
  }
  const wanted = floats.map((n) => {
    const ys = (neighbours.get(n.id) ?? []).flatMap((id) => {
      const p = placed.get(id);
      return p ? [p.y + p.h / 2] : [];
    });
    const s = sizes.get(n.id) as { w: number; h: number };
    return { n, s, y: (ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : MARGIN) - s.h / 2 };
  });
  for (const rk of ranks) {
    let floor = MARGIN;
    for (const f of wanted.filter((f) => f.n.rank === rk).sort((a, b) => a.y - b.y)) {
      const fy = Math.max(f.y, floor);
      placed.set(f.n.id, { node: f.n, x: Math.round((colX.get(rk) ?? 0) + ((colW.get(rk) ?? 0) - f.s.w) / 2), y: Math.round(fy), w: f.s.w, h: f.s.h });
      floor = fy + f.s.h + ROW_GAP;
      y = Math.max(y, floor + BAND_GAP - ROW_GAP);
    }
  }
  const maxGroupRight = Math.max(0, ...groups.map((g) => g.x + g.w + MARGIN));
  return { placed, width: Math.round(Math.max(width, maxGroupRight)), height: Math.round(y - BAND_GAP + MARGIN), groups };
}

function shape(p: Placed): string {
  const { x, y, w, h, node } = p;
  const stroke = `stroke="#334" stroke-width="${node.emphasis ? 3 : 1.2}"`;
  switch (node.shape) {
    case 'net':
      return `<polygon points="${r(x + 8)},${r(y)} ${r(x + w - 8)},${r(y)} ${r(x + w)},${r(y + h / 2)} ${r(x + w - 8)},${r(y + h)} ${r(x + 8)},${r(y + h)} ${r(x)},${r(y + h / 2)}" fill="${FILL.net}" ${stroke}/>`;
    case 'round':
    case 'vip':
      return `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" rx="14" fill="${FILL[node.shape]}" ${stroke}${node.shape === 'vip' ? ' stroke-dasharray="5 3"' : ''}/>`;
    case 'port':
      return `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" fill="${FILL.port}" ${stroke}/>`;
    default:
      return `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" rx="3" fill="${FILL.box}" ${stroke}/>`;
  }
}

function nodeText(p: Placed): string {
  const cx = p.x + p.w / 2;
  return p.node.lines.map((l, i) => `<text x="${r(cx)}" y="${r(p.y + PAD_Y + (i + 1) * LINE_H - 4)}" text-anchor="middle"${i === 0 ? ' font-weight="bold"' : ''}>${htmlText(l)}</text>`).join('');
}

interface Drawn {
  path: string;
  /** Where the label goes. */
  lx: number;
  ly: number;
}

function route(a: Placed, b: Placed, e: FigEdge, sameColumnIndex: number): Drawn {
  const t = e.labelAt ?? 0.5;
  if (a.node.rank !== b.node.rank) {
    const [left, right] = a.node.rank < b.node.rank ? [a, b] : [b, a];
    const x1 = left.x + left.w;
    const y1 = left.y + left.h / 2;
    const x2 = right.x;
    const y2 = right.y + right.h / 2;
    const [sx, sy, ex, ey] = left === a ? [x1, y1, x2, y2] : [x2, y2, x1, y1];
    return { path: `M${r(sx)} ${r(sy)} L${r(ex)} ${r(ey)}`, lx: sx + (ex - sx) * t, ly: sy + (ey - sy) * t };
  }
  const [up, down] = a.y < b.y ? [a, b] : [b, a];
  const adjacent = Math.abs(up.y + up.h + ROW_GAP - down.y) <= 1;
  if (adjacent) {
    const cx = up.x + up.w / 2;
    return { path: `M${r(cx)} ${r(up.y + up.h)} L${r(cx)} ${r(down.y)}`, lx: cx, ly: (up.y + up.h + down.y) / 2 };
  }
  // Not neighbours in one column: an arc on the right, each further arc a little wider.
  const x1 = up.x + up.w;
  const x2 = down.x + down.w;
  const bulge = Math.max(x1, x2) + 30 + 14 * sameColumnIndex;
  const y1 = up.y + up.h / 2;
  const y2 = down.y + down.h / 2;
  return { path: `M${r(x1)} ${r(y1)} C${r(bulge)} ${r(y1)} ${r(bulge)} ${r(y2)} ${r(x2)} ${r(y2)}`, lx: 0.125 * x1 + 0.75 * bulge + 0.125 * x2, ly: (y1 + y2) / 2 };
}

export function toSvg(fig: Figure, title: string): string {
  const { placed, width, height, groups } = layout(fig);
  let arcs = 0;
  const drawn = fig.edges.flatMap((e) => {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) return [];
    const isArc = a.node.rank === b.node.rank && Math.abs(Math.min(a.y, b.y) + (a.y < b.y ? a.h : b.h) + ROW_GAP - Math.max(a.y, b.y)) > 1;
    const d = route(a, b, e, isArc ? arcs++ : 0);
    return [{ e, d }];
  });
  const extraRight = arcs ? 30 + 14 * arcs : 0;
  const w = width + extraRight;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}" font-family="DejaVu Sans Mono, Liberation Mono, monospace" font-size="${FONT}">`);
  out.push(`<title>${htmlText(title)}</title>`);
  out.push(`<rect width="${w}" height="${height}" fill="#ffffff"/>`);
  for (const g of groups) out.push(`<rect x="${r(g.x)}" y="${r(g.y)}" width="${r(g.w)}" height="${r(g.h)}" rx="6" fill="#fbfbfb" stroke="#8a8a8a" stroke-width="1"/><text x="${r(g.x + GROUP_PAD)}" y="${r(g.y + 16)}" font-weight="bold">${htmlText(g.title)}</text>`);
  for (const { e, d } of drawn) out.push(`<path d="${d.path}" fill="none" stroke="${e.highlight ? '#d00000' : '#445'}" stroke-width="${e.highlight ? 2.5 : 1.4}"${e.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
  for (const p of placed.values()) out.push(shape(p) + nodeText(p));
  for (const { e, d } of drawn) {
    if (!e.label) continue;
    const lw = Math.ceil(textWidth(e.label, LABEL_CHAR_W)) + 8;
    out.push(`<rect x="${r(d.lx - lw / 2)}" y="${r(d.ly - 8)}" width="${lw}" height="15" rx="3" fill="#ffffff" stroke="${e.highlight ? '#d00000' : '#bbb'}" stroke-width="0.8"/><text x="${r(d.lx)}" y="${r(d.ly + 3.5)}" text-anchor="middle" font-size="${LABEL_FONT}"${e.highlight ? ' fill="#b00000"' : ''}>${htmlText(e.label)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
