/**
 * The topology as one standalone SVG picture (also the heart of the HTML
 * page): boxes for containers (routers orange, lab hosts blue, services
 * green), pills for bridges, thick lines for p2p links with the interface
 * and address printed at each end, thin ones for bridge attachments.
 */
import { layout, type Point } from './layout';
import type { GraphEdge, GraphNode, Topology } from './topology';

export function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Rough text width (no font metrics at hand): good enough to size boxes. */
const textWidth = (s: string, px: number) => s.length * px * 0.6;

interface Box {
  w: number;
  h: number;
}

export function nodeBox(n: GraphNode): Box {
  const lines = [n.label, ...(n.sub ? [n.sub] : []), ...n.ports.map((p) => `⇄ ${p}`)];
  const w = Math.max(textWidth(n.label, 14), ...lines.slice(1).map((l) => textWidth(l, 11))) + 28;
  const h = 26 + 15 * (lines.length - 1) + 8;
  return { w: Math.max(w, n.kind === 'bridge' ? 90 : 70) / 2, h: h / 2 };
}

export interface Drawing {
  svg: string;
  width: number;
  height: number;
  positions: Map<string, Point>;
}

const MARGIN = 60;
const HEADER = 56;

export function renderSvg(t: Topology, opts: { standalone?: boolean } = {}): Drawing {
  const boxes = new Map(t.nodes.map((n) => [n.id, nodeBox(n)]));
  // One hop must leave room for both ends' labels and the boxes.
  const widest = (text?: string) => Math.max(0, ...(text ?? '').split(' ').map((l) => textWidth(l, 10)));
  const unit = Math.min(
    460,
    Math.max(180, ...t.edges.map((e) => widest(e.aLabel) + widest(e.bLabel) + boxes.get(e.a)!.w + boxes.get(e.b)!.w + 40)),
  );
  const raw = layout({ ids: t.nodes.map((n) => n.id), edges: t.edges.map((e) => [e.a, e.b]), size: (id) => boxes.get(id)!, unit });
  let maxX = 0, maxY = 0;
  const pos = new Map<string, Point>();
  for (const [id, p] of raw) {
    const q = { x: p.x + MARGIN, y: p.y + MARGIN + HEADER };
    pos.set(id, q);
    const b = boxes.get(id)!;
    maxX = Math.max(maxX, q.x + b.w);
    maxY = Math.max(maxY, q.y + b.h);
  }
  const width = Math.ceil(Math.max(maxX + MARGIN, 640));
  const height = Math.ceil(maxY + MARGIN + 30);
  const counts = {
    containers: t.nodes.filter((n) => n.kind !== 'bridge' && n.kind !== 'machine').length,
    bridges: t.nodes.filter((n) => n.kind === 'bridge').length,
    links: t.edges.filter((e) => e.kind === 'link').length,
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="tsc-topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-nodes="${t.nodes.length}" data-edges="${t.edges.length}">`,
    `<title>${xml(`tscompose project ${t.project}`)}</title>`,
    `<style>${STYLE}</style>`,
  );
  if (opts.standalone !== false) out.push(`<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`);
  out.push(
    `<text class="title" x="${MARGIN / 2}" y="30">${xml(t.project)}</text>`,
    `<text class="summary" x="${MARGIN / 2}" y="48">${counts.containers} containers · ${counts.links} p2p links · ${counts.bridges} bridges</text>`,
  );
  out.push('<g class="edges">');
  for (const e of t.edges) out.push(edge(e, pos, boxes));
  out.push('</g><g class="nodes">');
  for (const n of t.nodes) out.push(node(n, pos.get(n.id)!, boxes.get(n.id)!));
  out.push('</g>', legend(height), '</svg>');
  return { svg: out.join('\n'), width, height, positions: pos };
}

function node(n: GraphNode, p: Point, b: Box): string {
  const rx = n.kind === 'bridge' ? b.h : 8;
  const lines = [
    `<text class="label" x="0" y="${-b.h + 20}">${xml(n.label)}</text>`,
    ...[...(n.sub ? [n.sub] : []), ...n.ports.map((q) => `⇄ ${q}`)].map((l, i) => `<text class="sub" x="0" y="${-b.h + 36 + 15 * i}">${xml(l)}</text>`),
  ];
  const tip = [n.label, ...n.details, ...n.ports.map((q) => `published ${q}`)].join('\n');
  return (
    `<g class="node kind-${n.kind}" data-id="${xml(n.id)}" transform="translate(${p.x.toFixed(1)},${p.y.toFixed(1)})">` +
    `<title>${xml(tip)}</title>` +
    `<rect x="${-b.w}" y="${-b.h}" width="${2 * b.w}" height="${2 * b.h}" rx="${rx}"/>` +
    lines.join('') +
    '</g>'
  );
}

/** Where the line from a box's center towards `to` leaves the box, plus `gap`. */
function exitPoint(from: Point, to: Point, b: Box, gap: number): Point {
  const dx = to.x - from.x, dy = to.y - from.y;
  const len = Math.hypot(dx, dy) || 1;
  const tx = dx === 0 ? Infinity : b.w / Math.abs(dx);
  const ty = dy === 0 ? Infinity : b.h / Math.abs(dy);
  const t = Math.min(tx, ty);
  return { x: from.x + dx * t + (dx / len) * gap, y: from.y + dy * t + (dy / len) * gap };
}

function edge(e: GraphEdge, pos: Map<string, Point>, boxes: Map<string, Box>): string {
  const a = pos.get(e.a)!, b = pos.get(e.b)!;
  const ba = boxes.get(e.a)!, bb = boxes.get(e.b)!;
  const parts = [`<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}"/>`];
  // Beside the line near its end: above a horizontal-ish edge, right of a vertical-ish one.
  const endLabel = (text: string, from: Point, to: Point, box: Box) => {
    const p = exitPoint(from, to, box, 10);
    const lines = text.split(' ');
    const dx = to.x - from.x, dy = to.y - from.y;
    let x: number, y: number, anchor: string;
    if (Math.abs(dx) >= Math.abs(dy)) {
      anchor = dx > 0 ? 'start' : 'end';
      x = p.x;
      y = p.y - 6 - 11 * (lines.length - 1) + (dy > 0 ? 0 : -4);
    } else {
      anchor = 'start';
      x = p.x + 8;
      y = dy > 0 ? p.y + 6 : p.y - 11 * (lines.length - 1) - 2;
    }
    return (
      `<text class="end" text-anchor="${anchor}" x="${x.toFixed(1)}" y="${y.toFixed(1)}">` +
      `<tspan class="ifname">${xml(lines[0]!)}</tspan>` +
      lines.slice(1).map((r) => `<tspan x="${x.toFixed(1)}" dy="11">${xml(r)}</tspan>`).join('') +
      '</text>'
    );
  };
  if (e.aLabel) parts.push(endLabel(e.aLabel, a, b, ba));
  if (e.bLabel) parts.push(endLabel(e.bLabel, b, a, bb));
  if (e.label) parts.push(`<text class="mid" x="${((a.x + b.x) / 2).toFixed(1)}" y="${((a.y + b.y) / 2 - 5).toFixed(1)}">${xml(e.label)}</text>`);
  return `<g class="edge kind-${e.kind}${e.shaped ? ' shaped' : ''}" data-a="${xml(e.a)}" data-b="${xml(e.b)}">${parts.join('')}</g>`;
}

function legend(height: number): string {
  const items: Array<[string, string]> = [
    ['router', 'router (forwards)'],
    ['host', 'lab host'],
    ['service', 'service'],
    ['bridge', 'bridge network'],
  ];
  const y = height - 22;
  const cells = items.map(
    ([kind, text], i) =>
      `<g class="swatch kind-${kind}" transform="translate(${30 + i * 150},${y})"><rect x="0" y="-9" width="18" height="14" rx="${kind === 'bridge' ? 7 : 3}"/><text x="26" y="2">${text}</text></g>`,
  );
  return `<g class="legend">${cells.join('')}<g class="swatch link" transform="translate(${30 + 4 * 150},${y})"><line x1="0" y1="-2" x2="26" y2="-2"/><text x="34" y="2">p2p link</text></g></g>`;
}

const STYLE = `
.bg{fill:#fbfbfd}
.title{font:600 18px system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;fill:#1d1d1f}
.summary{font:12px system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;fill:#6e6e73}
.node rect{stroke-width:1.5}
.node .label{font:600 14px system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;fill:#1d1d1f;text-anchor:middle}
.node .sub{font:11px ui-monospace,"SF Mono",Menlo,Consolas,monospace;fill:#48484a;text-anchor:middle}
.legend text{font:11px system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;fill:#48484a}
.legend rect{stroke-width:1.5}
.legend .link line{stroke:#3a3a3c;stroke-width:2.6}
.kind-router rect{fill:#fde2c4;stroke:#c2660a}
.kind-host rect{fill:#d7e7fb;stroke:#2f6fbf}
.kind-service rect{fill:#d9f2df;stroke:#2e8b4a}
.kind-bridge rect{fill:#ececf0;stroke:#8e8e93}
.kind-machine rect{fill:#f4f4f4;stroke:#555}
.edge line{stroke:#8e8e93;stroke-width:1.4}
.edge.kind-link line{stroke:#3a3a3c;stroke-width:2.6}
.edge.kind-shared line{stroke-dasharray:5 4}
.edge.shaped line{stroke:#b03060;stroke-dasharray:9 4}
.edge text{font:11px ui-monospace,"SF Mono",Menlo,Consolas,monospace;fill:#3a3a3c;paint-order:stroke;stroke:#fbfbfd;stroke-width:3px;stroke-linejoin:round}
.edge .ifname{font-weight:600}
.edge .mid{fill:#b03060;text-anchor:middle}
`;
