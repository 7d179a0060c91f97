/**
 * Graphviz DOT (`dot -Tsvg`, `neato`): containers as boxes, bridges as
 * ellipses, p2p links labelled with the interface and address at each end.
 */
import { formatCidr, parseCidr } from '../net/ip';
import type { GraphNode, Topology } from './topology';

/** `10.0.12.0/31` for `10.0.12.1/31` and `10.0.12.0/31`: each subnet once. */
function subnets(addresses: string[]): string[] {
  return [...new Set(addresses.map((a) => (parseCidr(a) ? formatCidr(parseCidr(a)!) : a)))];
}

/** A DOT double-quoted string: `"` and `\` escaped, line breaks as `\n`. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const STYLE: Record<GraphNode['kind'], string> = {
  router: 'shape=box, style="rounded,filled", fillcolor="#fde2c4", color="#c2660a"',
  host: 'shape=box, style="rounded,filled", fillcolor="#d7e7fb", color="#2f6fbf"',
  service: 'shape=box, style="rounded,filled", fillcolor="#d9f2df", color="#2e8b4a"',
  bridge: 'shape=ellipse, style=filled, fillcolor="#eeeeee", color="#777777"',
  machine: 'shape=house, style=filled, fillcolor="#f4f4f4", color="#555555"',
};

export function renderDot(t: Topology): string {
  const lines = [
    `graph ${dotString(t.project)} {`,
    `  graph [label=${dotString(`tscompose project ${t.project}`)}, labelloc=t, fontname="Helvetica", overlap=false, splines=true, nodesep=0.6, ranksep=1.0];`,
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555", len=2.2, labeldistance=1.6];',
  ];
  const node = (n: (typeof t.nodes)[number], indent: string) => {
    const text = [n.label, ...(n.sub ? [n.sub] : []), ...n.ports.map((p) => `port ${p}`)].join('\n');
    lines.push(`${indent}${dotString(n.id)} [label=${dotString(text)}, tooltip=${dotString(n.details.join('\n') || n.label)}, ${STYLE[n.kind]}];`);
  };
  for (const n of t.nodes) if (!n.host) node(n, '  ');
  // x-hosts: one box per machine around its containers.
  for (const host of [...new Set(t.nodes.flatMap((n) => (n.host ? [n.host] : [])))].sort()) {
    lines.push(`  subgraph ${dotString(`cluster_${host}`)} {`, `    label=${dotString(`host ${host}`)}; style=dashed; color="#888888";`);
    for (const n of t.nodes) if (n.host === host) node(n, '    ');
    lines.push('  }');
  }
  for (const e of t.edges) {
    // Graphviz piles head and tail labels onto each other: interface names at the ends,
    // addresses (a link's subnets) in the middle, everything in the tooltip.
    const attrs: string[] = [];
    const [aIf, ...aAddrs] = (e.aLabel ?? '').split(' ');
    const [bIf, ...bAddrs] = (e.bLabel ?? '').split(' ');
    if (aIf) attrs.push(`taillabel=${dotString(aIf)}`);
    if (bIf) attrs.push(`headlabel=${dotString(bIf)}`);
    const middle = e.kind === 'link' ? subnets([...aAddrs, ...bAddrs]) : aAddrs;
    const label = [...middle, ...(e.label ? [e.label] : [])].join('\n');
    if (label) attrs.push(`label=${dotString(label)}`);
    attrs.push(`tooltip=${dotString([e.aLabel, e.label, e.bLabel].filter(Boolean).join(' — ') || e.kind)}`);
    if (e.kind === 'link') attrs.push(`penwidth=2, color=${e.shaped ? '"#b03060"' : '"#333333"'}`);
    if (e.kind === 'attach') attrs.push('color="#8a8a8a"');
    if (e.kind === 'shared') attrs.push('style=dashed');
    if (e.shaped) attrs.push('style=bold');
    if (e.tunnel) attrs.push('style=dashed');
    lines.push(`  ${dotString(e.a)} -- ${dotString(e.b)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
