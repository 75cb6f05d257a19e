// A figure as Mermaid (the README's blocks; GitHub and GitLab draw them) or as Graphviz dot.
// Node ids come from names, which the schema restricts to [a-z0-9-]; '-' becomes '_'.
import type { Figure, FigNode } from './figures.js';

/** Mermaid's default maxTextSize; a bigger chart shows an error box instead of a drawing. */
export const MERMAID_MAX_TEXT = 50_000;
/** Mermaid 11's default maxEdges. */
export const MERMAID_MAX_EDGES = 500;

/** Text inside a quoted Mermaid label; entity codes keep quotes and tags from ending it. */
export function mermaidText(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
const mLabel = (lines: string[]) => `"${lines.map(mermaidText).join('<br/>')}"`;

function mermaidNode(n: FigNode): string {
  const l = mLabel(n.lines);
  switch (n.shape) {
    case 'round':
      return `${n.id}([${l}])`;
    case 'net':
      return `${n.id}{{${l}}}`;
    case 'vip':
      return `${n.id}(${l})`;
    case 'port':
      return `${n.id}[/${l}/]`;
    default:
      return `${n.id}[${l}]`;
  }
}

export interface MermaidResult {
  /** Undefined when the figure is beyond what Mermaid draws by default. */
  text?: string;
  /** The source whatever its size. */
  source: string;
  edges: number;
  chars: number;
}

export function toMermaid(fig: Figure): MermaidResult {
  const lines = ['flowchart LR'];
  const grouped = new Map<string, FigNode[]>();
  for (const n of fig.nodes) if (n.group) grouped.set(n.group, [...(grouped.get(n.group) ?? []), n]);
  for (const g of fig.groups) {
    lines.push(`  subgraph ${g.id}[${mLabel([g.title])}]`);
    for (const n of grouped.get(g.id) ?? []) lines.push(`    ${mermaidNode(n)}`);
    lines.push('  end');
  }
  for (const n of fig.nodes) if (!n.group) lines.push(`  ${mermaidNode(n)}`);
  // A label becomes a small node of its own in the middle of its link: Mermaid draws edge labels
  // across whatever line passes there, and in these figures many lines meet at one node.
  const red: number[] = [];
  const tags: string[] = [];
  let links = 0;
  const link = (from: string, to: string, arrow: string, highlight?: boolean) => {
    lines.push(`  ${from} ${arrow} ${to}`);
    if (highlight) red.push(links);
    links++;
  };
  fig.edges.forEach((e, i) => {
    const arrow = e.dashed ? '-.-' : '---';
    if (!e.label) return link(e.from, e.to, arrow, e.highlight);
    const tag = `tag_${i}`;
    tags.push(tag);
    lines.push(`  ${tag}[${mLabel([e.label])}]`);
    link(e.from, tag, arrow, e.highlight);
    link(tag, e.to, arrow, e.highlight);
  });
  if (tags.length) lines.push(`  classDef tag fill:#ffffff,stroke:#bbbbbb,font-size:12px`, `  class ${tags.join(',')} tag`);
  const strong = fig.nodes.filter((n) => n.emphasis).map((n) => n.id);
  if (strong.length) lines.push(`  classDef strong stroke-width:3px`, `  class ${strong.join(',')} strong`);
  if (red.length) lines.push(`  linkStyle ${red.join(',')} stroke:#d00,stroke-width:3px,stroke-dasharray:6 4`);
  const text = lines.join('\n');
  const tooBig = text.length > MERMAID_MAX_TEXT || links > MERMAID_MAX_EDGES;
  return { ...(tooBig ? {} : { text }), source: text, edges: links, chars: text.length };
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const dotShape: Record<FigNode['shape'], string> = { box: 'box', round: 'box, style=rounded', net: 'hexagon', vip: 'ellipse', port: 'box, style=dashed' };

export function toDot(fig: Figure): string {
  const lines = [`graph ${fig.view} {`, '  rankdir=LR;', '  node [fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  const node = (n: FigNode) => `${n.id} [label=${dotString(n.lines.join('\n'))}, shape=${dotShape[n.shape]}${n.emphasis ? ', penwidth=3' : ''}];`;
  for (const g of fig.groups) {
    lines.push(`  subgraph cluster_${g.id} {`, `    label=${dotString(g.title)};`);
    for (const n of fig.nodes) if (n.group === g.id) lines.push(`    ${node(n)}`);
    lines.push('  }');
  }
  for (const n of fig.nodes) if (!n.group) lines.push(`  ${node(n)}`);
  for (const e of fig.edges) {
    const attrs = [...(e.label ? [`label=${dotString(e.label)}`] : []), ...(e.dashed ? ['style=dashed'] : []), ...(e.highlight ? ['color=red'] : [])];
    lines.push(`  ${e.from} -- ${e.to}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
