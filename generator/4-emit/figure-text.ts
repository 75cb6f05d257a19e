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
  edges: number;
  chars: number;
}

export function toMermaid(fig: Figure): MermaidResult {
  const lines = [fig.view === 'machines' || fig.view === 'wiring' ? 'flowchart LR' : 'flowchart LR'];
  const grouped = new Map<string, FigNode[]>();
  for (const n of fig.nodes) if (n.group) grouped.set(n.group, [...(grouped.get(n.group) ?? []), n]);
  for (const g of fig.groups) {
    lines.push(`  subgraph ${g.id}[${mLabel([g.title])}]`);
    for (const n of grouped.get(g.id) ?? []) lines.push(`    ${mermaidNode(n)}`);
    lines.push('  end');
  }
  for (const n of fig.nodes) if (!n.group) lines.push(`  ${mermaidNode(n)}`);
  const red: number[] = [];
  fig.edges.forEach((e, i) => {
    const arrow = e.dashed ? '-.-' : '---';
    lines.push(e.label ? `  ${e.from} ${arrow}|${mLabel([e.label])}| ${e.to}` : `  ${e.from} ${arrow} ${e.to}`);
    if (e.highlight) red.push(i);
  });
  const strong = fig.nodes.filter((n) => n.emphasis).map((n) => n.id);
  if (strong.length) lines.push(`  classDef strong stroke-width:3px`, `  class ${strong.join(',')} strong`);
  if (red.length) lines.push(`  linkStyle ${red.join(',')} stroke:#d00,stroke-width:3px,stroke-dasharray:6 4`);
  const text = lines.join('\n');
  const tooBig = text.length > MERMAID_MAX_TEXT || fig.edges.length > MERMAID_MAX_EDGES;
  return { ...(tooBig ? {} : { text }), edges: fig.edges.length, chars: text.length };
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
