/**
 * Mermaid flowchart (renders in GitHub and GitLab markdown): containers as
 * boxes, bridges as stadiums, p2p links with both ends' interfaces.
 */
import type { GraphNode, Topology } from './topology';

/** Mermaid text in double quotes: quotes as #quot;, line breaks as <br/>. */
function text(s: string): string {
  return `"${s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, '<br/>')}"`;
}

function shape(n: GraphNode, id: string, label: string): string {
  if (n.kind === 'bridge') return `${id}([${label}])`;
  if (n.kind === 'router') return `${id}{{${label}}}`;
  return `${id}[${label}]`;
}

export function renderMermaid(t: Topology): string {
  const ids = new Map(t.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart LR', `  %% tscompose project ${t.project}`];
  for (const n of t.nodes) lines.push(`  ${shape(n, ids.get(n.id)!, text([n.label, ...(n.sub ? [n.sub] : []), ...n.ports.map((p) => `port ${p}`)].join('\n')))}`);
  for (const e of t.edges) {
    const label = [e.aLabel, e.label, e.bLabel].filter(Boolean).join(' — ');
    const arrow = e.kind === 'shared' ? '-.-' : e.kind === 'link' ? '===' : '---';
    lines.push(`  ${ids.get(e.a)} ${arrow}${label ? `|${text(label)}|` : ''} ${ids.get(e.b)}`);
  }
  lines.push('  classDef router fill:#fde2c4,stroke:#c2660a', '  classDef host fill:#d7e7fb,stroke:#2f6fbf', '  classDef service fill:#d9f2df,stroke:#2e8b4a', '  classDef bridge fill:#eeeeee,stroke:#777777');
  for (const kind of ['router', 'host', 'service', 'bridge'] as const) {
    const members = t.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id));
    if (members.length) lines.push(`  class ${members.join(',')} ${kind}`);
  }
  return lines.join('\n') + '\n';
}
