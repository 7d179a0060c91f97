/**
 * One self-contained HTML page (no network, no external script or font):
 * the SVG drawing with pan and zoom, hover to highlight a node's links,
 * click for its interfaces, addresses, routes and ports, a search box, and
 * light and dark themes. After its script has run, <body> carries
 * data-ready="1" and data-rendered="N" (nodes the browser actually laid out).
 */
import { renderSvg, xml } from './svg';
import type { Topology } from './topology';

/** JSON inside a <script> element: nothing in it may close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function renderHtml(t: Topology): string {
  const drawing = renderSvg(t, { standalone: false });
  const svg = drawing.svg.replace(/ width="\d+" height="\d+"/, '');
  const data = {
    project: t.project,
    width: drawing.width,
    height: drawing.height,
    nodes: Object.fromEntries(t.nodes.map((n) => [n.id, { label: n.label, kind: n.kind, sub: n.sub ?? '', details: n.details, ports: n.ports }])),
    edges: t.edges.map((e) => ({ a: e.a, b: e.b, kind: e.kind, aLabel: e.aLabel ?? '', bLabel: e.bLabel ?? '', label: e.label ?? '' })),
  };
  const counts = `${t.nodes.filter((n) => n.kind !== 'bridge' && n.kind !== 'machine').length} containers · ${t.edges.filter((e) => e.kind === 'link').length} p2p links · ${t.nodes.filter((n) => n.kind === 'bridge').length} bridges`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${xml(t.project)} · tscompose topology</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>${xml(t.project)}</h1>
  <span class="counts">${counts}</span>
  <input id="search" type="search" placeholder="Find a service, network or address…" autocomplete="off">
  <button id="fit" title="Fit to window">Fit</button>
</header>
<main>
  <div id="canvas">${svg}</div>
  <aside id="panel">
    <h2>Topology</h2>
    <p class="hint">Hover a node to see its links, click it for its interfaces, addresses and routes. Scroll to zoom, drag to move.</p>
  </aside>
</main>
<script type="application/json" id="tsc-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const CSS = `
:root{--bg:#fbfbfd;--fg:#1d1d1f;--muted:#6e6e73;--panel:#ffffff;--line:#e5e5ea;--accent:#0a66c2}
@media (prefers-color-scheme:dark){:root{--bg:#161618;--fg:#f2f2f7;--muted:#a1a1a6;--panel:#1f1f22;--line:#38383a;--accent:#5aa9ff}
 svg .edge text{stroke:#161618 !important;fill:#d1d1d6 !important} svg .edge .mid{fill:#ff7aa2 !important}
 svg .title,svg .summary{display:none} svg .edge line{stroke:#7c7c80} svg .edge.kind-link line{stroke:#d1d1d6}
 svg .legend text{fill:#d1d1d6}}
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:var(--bg);color:var(--fg);font:14px system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
header{display:flex;align-items:center;gap:16px;padding:10px 18px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{font-size:18px;margin:0}
header .counts{color:var(--muted);font-size:13px}
header input{margin-left:auto;width:280px;padding:6px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg)}
header button{padding:6px 12px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);cursor:pointer}
main{display:flex;height:calc(100% - 53px)}
#canvas{flex:1;position:relative;overflow:hidden;cursor:grab}
#canvas.dragging{cursor:grabbing}
#canvas svg{width:100%;height:100%;display:block;user-select:none}
#canvas svg .title,#canvas svg .summary{display:none}
#panel{width:340px;border-left:1px solid var(--line);background:var(--panel);padding:14px 18px;overflow:auto}
#panel h2{font-size:16px;margin:4px 0 2px}
#panel .kind{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
#panel ul{list-style:none;padding:0;margin:8px 0}
#panel li{font:12px ui-monospace,"SF Mono",Menlo,Consolas,monospace;padding:4px 0;border-bottom:1px solid var(--line);word-break:break-word}
#panel .hint{color:var(--muted)}
#panel h3{font-size:12px;color:var(--muted);margin:14px 0 0;text-transform:uppercase;letter-spacing:.04em}
svg .node{cursor:pointer;transition:opacity .15s}
svg .edge{transition:opacity .15s}
svg.focus .node,svg.focus .edge{opacity:.18}
svg.focus .node.near,svg.focus .edge.near{opacity:1}
svg .node.selected rect{stroke-width:3.5}
svg .node.match rect{stroke:var(--accent);stroke-width:3.5}
`;

const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('tsc-data').textContent);
  var canvas = document.getElementById('canvas');
  var svg = canvas.querySelector('svg');
  var panel = document.getElementById('panel');
  var vb = { x: 0, y: 0, w: data.width, h: data.height };
  function apply() { svg.setAttribute('viewBox', vb.x + ' ' + vb.y + ' ' + vb.w + ' ' + vb.h); }
  function fit() { vb = { x: 0, y: 0, w: data.width, h: data.height }; apply(); }
  function toSvg(ev) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(vb.w / r.width, vb.h / r.height);
    var ox = (r.width * s - vb.w) / 2, oy = (r.height * s - vb.h) / 2;
    return { x: vb.x - ox + (ev.clientX - r.left) * s, y: vb.y - oy + (ev.clientY - r.top) * s, s: s };
  }
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var p = toSvg(ev), k = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    vb = { x: p.x - (p.x - vb.x) * k, y: p.y - (p.y - vb.y) * k, w: vb.w * k, h: vb.h * k };
    apply();
  }, { passive: false });
  var drag = null;
  canvas.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY, vb: Object.assign({}, vb), s: toSvg(ev).s }; canvas.classList.add('dragging'); });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    vb.x = drag.vb.x - (ev.clientX - drag.x) * drag.s; vb.y = drag.vb.y - (ev.clientY - drag.y) * drag.s; apply();
  });
  window.addEventListener('mouseup', function () { drag = null; canvas.classList.remove('dragging'); });
  document.getElementById('fit').addEventListener('click', fit);

  var nodes = {}, edges = [];
  svg.querySelectorAll('g.nodes g.node').forEach(function (g) { nodes[g.getAttribute('data-id')] = g; });
  svg.querySelectorAll('g.edges g.edge').forEach(function (g) { edges.push(g); });
  function focus(id) {
    if (!id) { svg.classList.remove('focus'); return; }
    svg.classList.add('focus');
    Object.keys(nodes).forEach(function (k) { nodes[k].classList.toggle('near', k === id); });
    edges.forEach(function (e) {
      var a = e.getAttribute('data-a'), b = e.getAttribute('data-b');
      var near = a === id || b === id;
      e.classList.toggle('near', near);
      if (near) { nodes[a].classList.add('near'); nodes[b].classList.add('near'); }
    });
  }
  function text(t) { var d = document.createElement('div'); d.textContent = t; return d.innerHTML; }
  var selected = null;
  function show(id) {
    var n = data.nodes[id];
    if (selected) nodes[selected].classList.remove('selected');
    selected = id;
    nodes[id].classList.add('selected');
    var html = '<div class="kind">' + text(n.kind) + '</div><h2>' + text(n.label) + '</h2>';
    if (n.sub) html += '<div class="kind">' + text(n.sub) + '</div>';
    if (n.details.length) html += '<h3>Configuration</h3><ul>' + n.details.map(function (d) { return '<li>' + text(d) + '</li>'; }).join('') + '</ul>';
    if (n.ports.length) html += '<h3>Published ports</h3><ul>' + n.ports.map(function (d) { return '<li>' + text(d) + '</li>'; }).join('') + '</ul>';
    var links = data.edges.filter(function (e) { return e.a === id || e.b === id; });
    if (links.length) {
      html += '<h3>Connections</h3><ul>' + links.map(function (e) {
        var other = data.nodes[e.a === id ? e.b : e.a];
        var mine = e.a === id ? e.aLabel : e.bLabel, theirs = e.a === id ? e.bLabel : e.aLabel;
        return '<li>' + text((mine || e.kind) + ' → ' + other.label + (theirs ? ' ' + theirs : '') + (e.label ? ' (' + e.label + ')' : '')) + '</li>';
      }).join('') + '</ul>';
    }
    panel.innerHTML = html;
  }
  Object.keys(nodes).forEach(function (id) {
    var g = nodes[id];
    g.addEventListener('mouseenter', function () { focus(id); });
    g.addEventListener('mouseleave', function () { focus(null); });
    g.addEventListener('mousedown', function (ev) { ev.stopPropagation(); });
    g.addEventListener('click', function () { show(id); });
  });
  document.getElementById('search').addEventListener('input', function (ev) {
    var q = ev.target.value.trim().toLowerCase();
    var first = null;
    Object.keys(nodes).forEach(function (id) {
      var n = data.nodes[id];
      var hay = (n.label + ' ' + n.sub + ' ' + n.details.join(' ')).toLowerCase();
      var hit = q !== '' && hay.indexOf(q) >= 0;
      nodes[id].classList.toggle('match', hit);
      if (hit && !first) first = id;
    });
    if (first) {
      var t = nodes[first].transform.baseVal.consolidate().matrix;
      vb = { x: t.e - vb.w / 2, y: t.f - vb.h / 2, w: vb.w, h: vb.h }; apply();
    }
  });
  fit();
  var rendered = 0;
  Object.keys(nodes).forEach(function (id) { var b = nodes[id].getBBox(); if (b.width > 0 && b.height > 0) rendered++; });
  document.body.setAttribute('data-rendered', String(rendered));
  document.body.setAttribute('data-ready', '1');
})();
`;
