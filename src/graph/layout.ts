/**
 * Node positions for the SVG and HTML pictures, without Graphviz: stress
 * majorization (Gansner, Koren, North, "Graph drawing by stress
 * majorization") on hop distances, which draws rings as rings, trees as
 * trees and fabrics as layers. Deterministic: same topology, same picture.
 * Each connected component is laid out alone, then they are packed in rows.
 */

export interface Point {
  x: number;
  y: number;
}

export interface LayoutInput {
  ids: string[];
  edges: Array<[string, string]>;
  /** Half width and height of each node's box, to keep boxes apart. */
  size: (id: string) => { w: number; h: number };
  /** Length of one hop, in pixels (room for the labels along an edge). */
  unit: number;
}

export function layout(input: LayoutInput): Map<string, Point> {
  const index = new Map(input.ids.map((id, i) => [id, i]));
  const n = input.ids.length;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of input.edges) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined || i === j) continue;
    adj[i]!.push(j);
    adj[j]!.push(i);
  }
  // Components, each in discovery order from its lowest node.
  const comp = new Array<number>(n).fill(-1);
  const components: number[][] = [];
  for (let s = 0; s < n; s++) {
    if (comp[s] !== -1) continue;
    const members = [s];
    comp[s] = components.length;
    for (let k = 0; k < members.length; k++) for (const v of adj[members[k]!]!) if (comp[v] === -1) (comp[v] = components.length), members.push(v);
    components.push(members);
  }
  const placed = components.map((members) => layoutComponent(members, adj, input.unit, members.map((v) => input.size(input.ids[v]!))));
  // Pack components left to right in rows, biggest first.
  const order = components.map((_, i) => i).sort((a, b) => components[b]!.length - components[a]!.length || a - b);
  const out = new Map<string, Point>();
  const boxes = order.map((ci) => {
    const pts = placed[ci]!;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    components[ci]!.forEach((v, k) => {
      const s = input.size(input.ids[v]!);
      minX = Math.min(minX, pts[k]!.x - s.w);
      maxX = Math.max(maxX, pts[k]!.x + s.w);
      minY = Math.min(minY, pts[k]!.y - s.h);
      maxY = Math.max(maxY, pts[k]!.y + s.h);
    });
    return { ci, minX, minY, w: maxX - minX, h: maxY - minY };
  });
  const totalArea = boxes.reduce((a, b) => a + (b.w + 60) * (b.h + 60), 0);
  const rowWidth = Math.max(boxes[0]?.w ?? 0, Math.sqrt(totalArea) * 1.6);
  let x = 0, y = 0, rowH = 0;
  for (const b of boxes) {
    if (x > 0 && x + b.w > rowWidth) {
      x = 0;
      y += rowH + 60;
      rowH = 0;
    }
    const pts = placed[b.ci]!;
    components[b.ci]!.forEach((v, k) => out.set(input.ids[v]!, { x: pts[k]!.x - b.minX + x, y: pts[k]!.y - b.minY + y }));
    x += b.w + 60;
    rowH = Math.max(rowH, b.h);
  }
  return out;
}

function layoutComponent(members: number[], adj: number[][], UNIT: number, sizes: Array<{ w: number; h: number }>): Point[] {
  const m = members.length;
  if (m === 1) return [{ x: 0, y: 0 }];
  const local = new Map(members.map((v, k) => [v, k]));
  // Hop distances between every pair (BFS from each node).
  const d = new Float64Array(m * m);
  for (let s = 0; s < m; s++) {
    const dist = new Int32Array(m).fill(-1);
    dist[s] = 0;
    const queue = [s];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      for (const w of adj[members[u]!]!) {
        const k = local.get(w)!;
        if (dist[k] === -1) (dist[k] = dist[u]! + 1), queue.push(k);
      }
    }
    for (let t = 0; t < m; t++) d[s * m + t] = dist[t]! * UNIT;
  }
  // Start: a circle in BFS order from the most central node (smallest total distance).
  let center = 0, best = Infinity;
  for (let s = 0; s < m; s++) {
    let sum = 0;
    for (let t = 0; t < m; t++) sum += d[s * m + t]!;
    if (sum < best) (best = sum), (center = s);
  }
  const byDistance = [...Array(m).keys()].sort((a, b) => d[center * m + a]! - d[center * m + b]! || a - b);
  const x = new Float64Array(m), y = new Float64Array(m);
  const radius = (UNIT * m) / (2 * Math.PI);
  byDistance.forEach((v, k) => {
    const angle = (2 * Math.PI * k) / m;
    // A slight spiral breaks the symmetry that would keep collinear nodes collinear.
    x[v] = Math.cos(angle) * radius * (0.5 + (0.5 * k) / m);
    y[v] = Math.sin(angle) * radius * (0.5 + (0.5 * k) / m);
  });
  const iterations = m <= 100 ? 300 : m <= 400 ? 80 : 30;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < m; i++) {
      let sx = 0, sy = 0, sw = 0;
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const dij = d[i * m + j]!;
        if (dij <= 0) continue;
        const w = 1 / (dij * dij);
        const dx = x[i]! - x[j]!, dy = y[i]! - y[j]!;
        const len = Math.hypot(dx, dy) || 1e-6;
        sx += w * (x[j]! + (dij * dx) / len);
        sy += w * (y[j]! + (dij * dy) / len);
        sw += w;
      }
      if (sw > 0) (x[i] = sx / sw), (y[i] = sy / sw);
    }
  }
  separate(x, y, sizes);
  return members.map((_, k) => ({ x: x[k]!, y: y[k]! }));
}

/**
 * Nodes equally far from everything (two spines) land on top of each other:
 * push overlapping boxes apart along the axis where they overlap least.
 */
function separate(x: Float64Array, y: Float64Array, sizes: Array<{ w: number; h: number }>): void {
  const m = x.length;
  if (m > 600) return; // quadratic; big labs are too dense for boxes anyway
  for (let pass = 0; pass < 60; pass++) {
    let moved = false;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        const dx = x[j]! - x[i]!, dy = y[j]! - y[i]!;
        const ox = sizes[i]!.w + sizes[j]!.w + 40 - Math.abs(dx);
        const oy = sizes[i]!.h + sizes[j]!.h + 30 - Math.abs(dy);
        if (ox <= 0 || oy <= 0) continue;
        moved = true;
        if (ox < oy) {
          const d = (ox / 2) * (dx < 0 ? -1 : 1);
          x[i] = x[i]! - d;
          x[j] = x[j]! + d;
        } else {
          const d = (oy / 2) * (dy < 0 ? -1 : 1);
          y[i] = y[i]! - d;
          y[j] = y[j]! + d;
        }
      }
    }
    if (!moved) break;
  }
}
