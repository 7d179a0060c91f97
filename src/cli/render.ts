/**
 * Everything tscompose shows a person: progress lines, plans, tables.
 * Pure string building; main.ts decides where it goes (progress on stderr,
 * results on stdout, as Docker Compose does).
 */
import { SHARED_BRIDGE } from '../plan/shared-bridge';
import { formatIssue } from '../errors';
import type { PullEvent } from '../image/events';
import type { ProgressEvent } from '../events';
import type { Action, Plan } from '../plan/actions';

export interface RenderContext {
  project: string;
  verbose: boolean;
}

const OK = '✔';
const FAIL = '✘';

function object(a: Action, project: string): { noun: string; name: string } | undefined {
  switch (a.kind) {
    case 'bridge.create':
    case 'bridge.update':
    case 'bridge.delete':
      // The machine's default bridge is nobody's: Docker calls it "bridge".
      return { noun: 'Network', name: a.bridge === SHARED_BRIDGE ? 'bridge' : `${project}_${a.network}` };
    case 'container.start':
    case 'container.stop':
    case 'cgroup.update':
      return { noun: 'Container', name: a.container };
    case 'firewall.apply':
    case 'firewall.delete':
      return { noun: 'Firewall', name: a.target };
    case 'dns.start':
    case 'dns.reload':
    case 'dns.stop':
      return { noun: 'DNS', name: a.target };
    case 'sysctl.set':
      return { noun: 'Sysctl', name: `${a.key}=${a.value}` };
    case 'volume.create':
    case 'volume.delete':
      return { noun: 'Volume', name: a.volume };
    case 'p2p.create':
      return { noun: 'Link', name: a.target };
    case 'vxlan.create':
    case 'vxlan.delete':
      return { noun: 'Tunnel', name: a.target };
    case 'qdisc.replace':
    case 'qdisc.delete':
      return { noun: 'Shaping', name: a.target };
    default:
      return undefined;
  }
}

function doneVerb(a: Action): string {
  switch (a.kind) {
    case 'bridge.create':
      return 'Created';
    case 'bridge.update':
      return `Repaired (${a.reason})`;
    case 'bridge.delete':
      return 'Removed';
    case 'container.start':
      return a.reason === 'new' ? 'Started' : `Started (${a.reason})`;
    case 'container.stop':
      return a.remove ? 'Removed' : `Stopped (${a.reason})`;
    case 'firewall.apply':
      return a.reason.startsWith('drifted') ? `Restored (${a.reason})` : 'Applied';
    case 'dns.start':
      return a.reason === 'missing' ? 'Started' : `Started (${a.reason})`;
    case 'dns.reload':
      return 'Reloaded';
    case 'firewall.delete':
    case 'dns.stop':
      return 'Removed';
    case 'sysctl.set':
      return 'Set';
    case 'cgroup.update':
      return `Limits updated in place (${a.previous ? a.reason.slice(a.reason.indexOf(': ') + 2) : a.reason})`;
    case 'volume.create':
      return 'Created';
    case 'volume.delete':
      return 'Removed';
    case 'p2p.create':
      return a.reason === 'new link' ? 'Created' : `Created (${a.reason})`;
    case 'vxlan.create':
      return 'Created';
    case 'vxlan.delete':
      return 'Removed';
    case 'qdisc.replace':
      return `Set (${a.reason})`;
    case 'qdisc.delete':
      return 'Removed';
    default:
      return 'done';
  }
}

/** A plan as JSON, with secrets' values left out (they are the one thing a plan must not show). */
export function planJson(p: Plan): string {
  return JSON.stringify(p, (key, value) => (key === 'secretContent' ? '(hidden)' : value), 2) + '\n';
}

/** One progress line for an event, or undefined when it is not worth a line. */
export function renderEvent(e: ProgressEvent, ctx: RenderContext): string | undefined {
  if (e.type === 'note') return e.verbose ? (ctx.verbose ? ` · ${e.message}` : undefined) : ` ! ${e.message}`;
  if (e.type === 'wave') return ctx.verbose ? ` · wave ${e.index} (${e.actions} action(s)) done at +${e.ms.toFixed(1)} ms` : undefined;
  if (e.type === 'phase') return ctx.verbose ? ` · ${e.name} at ${e.ms.toFixed(0)} ms` : undefined;
  if (e.type === 'pull') return renderPull(e.event, ctx.verbose);
  if (e.type === 'build') return renderBuild(e);
  const a = e.action;
  const obj = object(a, ctx.project);
  if (e.phase === 'failed') {
    const label = obj ? `${obj.noun} ${obj.name}` : `${a.kind} ${a.target}`;
    return ` ${FAIL} ${label}  Error: ${e.error.message}`;
  }
  if (e.phase === 'start') return undefined;
  if (obj) return ` ${OK} ${obj.noun} ${obj.name}  ${doneVerb(a)}`;
  if (ctx.verbose) return `   ${a.kind} ${a.target}  ${a.reason} (${e.ms.toFixed(1)} ms)`;
  return undefined;
}

/** Builds before planning: the builder's own lines, under the service's name. */
function renderBuild(e: Extract<ProgressEvent, { type: 'build' }>): string {
  if (e.phase === 'start') return ` ${OK} service ${e.service}  building ${e.image}`;
  if (e.phase === 'output') return `   ${e.service} | ${e.line}`;
  return ` ${OK} image ${e.image}  built in ${(e.ms / 1000).toFixed(1)} s`;
}

/** Image pulls before planning: a line when one starts and ends (each layer with --verbose). */
function renderPull(e: PullEvent, verbose: boolean): string | undefined {
  if (e.type === 'resolve') return ` ${OK} image ${e.image}  pulling ${e.layers} layer(s) for ${e.platform}`;
  if (e.type === 'pulled') return ` ${OK} image ${e.image}  ${e.upToDate ? 'up to date' : `pulled (${e.downloaded} bytes)`}, ${e.manifestDigest}`;
  if (verbose && (e.phase === 'done' || e.phase === 'exists')) return `   layer ${e.digest}  ${e.phase === 'done' ? 'pulled' : 'already in the store'}`;
  return undefined;
}

const SIGN: Partial<Record<Action['kind'], string>> = {
  'netns.create': '+',
  'bridge.create': '+',
  'veth.create': '+',
  'lowerlink.create': '+',
  'dummy.create': '+',
  'dummy.delete': '-',
  'addr.add': '+',
  'route.replace': '~',
  'files.write': '~',
  'container.start': '+',
  'bridge.update': '~',
  'link.update': '~',
  'container.stop': '-',
  'netns.delete': '-',
  'bridge.delete': '-',
  'veth.delete': '-',
  'lowerlink.delete': '-',
  'addr.delete': '-',
  'route.delete': '-',
  'sysctl.set': '~',
  'firewall.apply': '~',
  'firewall.delete': '-',
  'dns.start': '+',
  'dns.reload': '~',
  'dns.stop': '-',
  'cgroup.create': '+',
  'cgroup.update': '~',
  'cgroup.delete': '-',
  'volume.create': '+',
  'volume.delete': '-',
  'p2p.create': '+',
  'vxlan.create': '+',
  'vxlan.delete': '-',
  'qdisc.replace': '~',
  'qdisc.delete': '-',
  'neigh.replace': '+',
};

export function renderPlan(plan: Plan): string {
  const warnings = renderWarnings(plan);
  const total = plan.waves.reduce((n, w) => n + w.length, 0);
  const tunnels = renderTunnels(plan);
  if (!total) return `${warnings}${tunnels}Project ${plan.project} is up to date: nothing to do.\n`;
  const lines = [`Plan for project ${plan.project}: ${total} action(s) in ${plan.waves.length} wave(s)`];
  const kindWidth = Math.max(...plan.waves.flat().map((a) => a.kind.length));
  const targetWidth = Math.min(48, Math.max(...plan.waves.flat().map((a) => a.target.length)));
  plan.waves.forEach((wave, i) => {
    lines.push(`wave ${i + 1}:`);
    for (const a of wave) {
      lines.push(`  ${SIGN[a.kind] ?? ' '} ${a.kind.padEnd(kindWidth)}  ${a.target.padEnd(targetWidth)}  ${a.reason}`);
    }
  });
  return warnings + tunnels + lines.join('\n') + '\n';
}

/** `--host`: the machine's tunnels to the others, whether or not the plan changes them. */
function renderTunnels(plan: Plan): string {
  if (plan.host === undefined) return '';
  const lines = [`Host ${plan.host}: ${plan.tunnels?.length ?? 0} VXLAN tunnel(s) to other machines`];
  for (const t of plan.tunnels ?? []) {
    const more = (t.extraRemotes ?? []).map((r) => `, ${r.host} ${r.address}`).join('');
    lines.push(`  ${t.network} (${t.kind}) ${t.device} → ${t.peerHost}: vxlan id ${t.vni} remote ${t.remote}${more} local ${t.local} dstport ${t.port}, mtu ${t.mtuReason}`);
  }
  return lines.join('\n') + '\n';
}

/** What the host cannot give and the plan leaves out, one `WARNING:` line each (as Docker prints them). */
export function renderWarnings(plan: Plan): string {
  return (plan.warnings ?? []).map((w) => `WARNING: ${formatIssue(w)}\n`).join('');
}

/** A plain text table with a header row, columns padded to fit. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'}`;
  const d = Math.floor(h / 24);
  return `${d} days`;
}
