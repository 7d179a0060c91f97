import { Session } from '../../apply/session';
import { ExitCode, SpecError, UsageError, type SpecIssue } from '../../errors';
import { formatIP, parseIP } from '../../net/ip';
import { resolve } from '../../plan';
import type { DesiredContainer, Observed } from '../../plan/model';
import type { Project } from '../../compose/types';
import { runProbes, type ProbeResult } from '../../sys/probe';
import { findNode, pathText, planProbes, type Probe } from '../../verify/expect';
import { HOST, ownerOf, reachability, routingModel, type RoutingModel } from '../../verify/routing';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, progress, type Cli } from '../context';
import { renderTable } from '../render';
import { hostFor, hostOption } from '../hosts';

const verifyOptions: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Print every probe and its result as JSON' },
  { name: 'timeout', type: 'string', arg: 'MS', description: 'How long a probe waits for an answer (default 2000)' },
  { name: 'max-probes', type: 'string', arg: 'N', description: 'Sample pairs down to this many probes (default 5000; neighbours and x-verify always kept)' },
  { name: 'trace', type: 'boolean', description: 'Trace the path between two services: verify --trace FROM TO (compared with the routes in the file)' },
  hostOption,
];

const MATRIX_MAX = 40;

interface Checked {
  probe: Probe;
  result: ProbeResult;
  ok: boolean;
}

/**
 * What the file says about reachability, checked on the machine: every
 * probe starts inside the source container's namespace (ICMP echo, or a TCP
 * connect for x-verify entries with a port), made by tscompose itself.
 */
async function verify(cli: Cli, args: Parsed): Promise<number> {
  const project = loadComposeProject(cli);
  const timeoutMs = positive(str(args, 'timeout'), '--timeout', 2000);
  const maxProbes = positive(str(args, 'max-probes'), '--max-probes', 5000);
  const json = flag(args, 'json');
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  try {
    const observed = await session.observe();
    if (!observed.state) throw new UsageError(`project ${project.name} is not up: run \`tscompose up\` first`);
    const desired = resolve(project, observed);
    const model = routingModel(desired, labeller(project));
    if (flag(args, 'trace')) return await trace(cli, args.positionals, model, observed, timeoutMs, json);
    if (args.positionals.length) throw new UsageError('verify takes no arguments (except with --trace FROM TO)');
    checkNames(project, model);

    const plan = planProbes(model, project.verify ?? [], { maxProbes });
    // --host: the whole lab is the model (probes cross the tunnels), but only this machine's containers probe.
    const host = hostFor(project, args);
    const probes = host === undefined ? plan.probes : plan.probes.filter((p) => project.services[desired.containers[p.from]?.service ?? '']?.host === host);
    const checked = await probeAll(probes, model, observed, timeoutMs);
    const bad = checked.filter((c) => !c.ok);
    if (json) {
      cli.out(
        JSON.stringify(
          {
            project: project.name,
            ok: bad.length === 0,
            probes: checked.length,
            ...(plan.sampled ? { sampledFrom: plan.total } : {}),
            mismatches: bad.length,
            results: checked.map((c) => ({ ...c.probe, fromLabel: label(model, c.probe.from), ...(c.probe.to ? { toLabel: label(model, c.probe.to) } : {}), result: c.result, ok: c.ok })),
          },
          null,
          2,
        ) + '\n',
      );
    } else cli.out(renderReport(project, model, checked, plan.sampled ? plan.total : undefined));
    return bad.length ? ExitCode.drift : 0;
  } finally {
    session.close();
  }
}

function positive(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${what} must be a positive whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** The name a person uses: the service, or the container name for replicas. */
function labeller(project: Project): (c: DesiredContainer) => string {
  return (c) => ((project.services[c.service]?.scale ?? 1) > 1 ? c.name : c.service);
}

const label = (model: RoutingModel, n: string) => model.nodes.get(n)?.label ?? n;

/** x-verify names must be containers with their own namespace (or addresses, for `to`). */
function checkNames(project: Project, model: RoutingModel): void {
  const issues: SpecIssue[] = [];
  for (const v of project.verify ?? []) {
    for (const [k, name] of [['from', v.from], ['to', v.to]] as const) {
      if (k === 'to' && parseIP(name)) continue;
      if (findNode(model, name)) continue;
      const path = `x-verify.${v.index}.${k}`;
      const svc = project.services[name];
      issues.push({
        path,
        loc: project.sources.get(path),
        message: svc
          ? `service ${name} has no network namespace of its own (network_mode ${svc.networkMode.kind}): probe from or to the service it shares`
          : `no service or container named ${name}${k === 'to' ? ' (nor is it an IP address)' : ''}`,
      });
    }
  }
  if (issues.length) throw new SpecError(issues);
}

/** Run the probes; what does not match is probed once more (a link may have been settling). */
async function probeAll(probes: Probe[], model: RoutingModel, observed: Observed, timeoutMs: number): Promise<Checked[]> {
  const nsOf = (c: string) => model.nodes.get(c)?.netns;
  const present = (p: Probe) => {
    const ns = nsOf(p.from);
    return ns !== undefined && observed.netns[ns] && !observed.netns[ns]!.stale;
  };
  const request = (list: Probe[]) =>
    list.filter(present).map((p) => ({ id: p.id, netns: nsOf(p.from)!, address: p.address, ...(p.port !== undefined ? { port: p.port } : {}) }));
  const results = await runProbes(request(probes), { timeoutMs });
  const judge = (p: Probe, r: ProbeResult | undefined): Checked => {
    const result = r ?? { reach: false, detail: `${label(model, p.from)} has no network namespace (not up?)` };
    return { probe: p, result, ok: result.reach === (p.expect === 'reach') };
  };
  let checked = probes.map((p) => judge(p, results.get(p.id)));
  const again = checked.filter((c) => !c.ok && present(c.probe)).map((c) => c.probe);
  if (again.length) {
    await new Promise((r) => setTimeout(r, 500));
    const second = await runProbes(request(again), { timeoutMs });
    checked = checked.map((c) => (second.has(c.probe.id) ? judge(c.probe, second.get(c.probe.id)) : c));
  }
  return checked;
}

function renderReport(project: Project, model: RoutingModel, checked: Checked[], sampledFrom: number | undefined): string {
  const lines: string[] = [];
  const derived = checked.filter((c) => c.probe.verify === undefined);
  const bad = checked.filter((c) => !c.ok);
  const reach = derived.filter((c) => c.probe.expect === 'reach').length;
  const nodes = [...model.nodes.values()].filter((n) => n.name !== HOST).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  lines.push(
    `Verify ${project.name}: ${nodes.length} containers, ${checked.length} probes` +
      (sampledFrom !== undefined ? ` (sampled from ${sampledFrom}; raise --max-probes for all)` : '') +
      `: ${reach} must reach, ${derived.length - reach} must be blocked; ${bad.length ? `${bad.length} MISMATCH${bad.length === 1 ? '' : 'ES'}` : 'all as expected'}`,
  );
  if (nodes.length <= MATRIX_MAX && derived.length) {
    const cell = new Map<string, string>();
    for (const c of derived) {
      const k = `${c.probe.from}\0${c.probe.to}`;
      const prev = cell.get(k);
      const mark = !c.ok ? (c.probe.expect === 'reach' ? '✘' : '!') : c.probe.expect === 'reach' ? '✔' : '·';
      // A mismatch wins the cell; then "reach" over "blocked".
      const rank = (m: string | undefined) => (m === '✘' || m === '!' ? 3 : m === '✔' ? 2 : m === '·' ? 1 : 0);
      if (rank(mark) > rank(prev)) cell.set(k, mark);
    }
    const header = ['from \\ to', ...nodes.map((n) => n.label)];
    const rows = nodes.map((a) => [a.label, ...nodes.map((b) => (a === b ? '-' : (cell.get(`${a.name}\0${b.name}`) ?? ' ')))]);
    lines.push('', renderTable(header, rows).trimEnd());
    lines.push('✔ reaches, as the file says   · blocked, as the file says   ✘ should reach but does not   ! should be blocked but is not');
  }
  const verify = checked.filter((c) => c.probe.verify !== undefined);
  if (verify.length) {
    lines.push('', 'x-verify:');
    for (const c of verify) {
      const p = c.probe;
      lines.push(
        `  ${c.ok ? '✔' : '✘'} ${label(model, p.from)} → ${p.to ? `${label(model, p.to)} ` : ''}${p.address}${p.port !== undefined ? ` port ${p.port}` : ''}: expect ${p.expect}, ${outcome(c.result)}`,
      );
      if (p.derived) lines.push(`      note: the routes in the file say ${p.derived} (${p.because})`);
    }
  }
  const derivedBad = bad.filter((c) => c.probe.verify === undefined);
  if (derivedBad.length) {
    lines.push('', 'Mismatches:');
    for (const c of derivedBad) {
      const p = c.probe;
      lines.push(
        `  ${p.expect === 'reach' ? '✘' : '!'} ${label(model, p.from)} → ${p.to ? label(model, p.to) : '?'} ${p.address}: expected ${p.expect} (${p.because}); ${outcome(c.result)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

function outcome(r: ProbeResult): string {
  if (r.reach) return `reached${r.rttUs !== undefined ? ` in ${(r.rttUs / 1000).toFixed(2)} ms` : ''}`;
  return `blocked (${r.detail ?? 'no answer'})`;
}

/** `verify --trace FROM TO`: the hops a traceroute sees, against the path the routes give. */
async function trace(cli: Cli, names: string[], model: RoutingModel, observed: Observed, timeoutMs: number, json: boolean): Promise<number> {
  if (names.length !== 2) throw new UsageError('--trace takes two names: verify --trace FROM TO (TO may be an address)');
  const from = findNode(model, names[0]!);
  if (!from) throw new UsageError(`no service or container named ${names[0]}`);
  const ip = parseIP(names[1]!);
  const to = ip ? undefined : findNode(model, names[1]!);
  if (!ip && !to) throw new UsageError(`no service or container named ${names[1]}, and it is not an address`);
  const candidates = ip ? [{ family: ip.family, value: ip.value }] : to!.ifaces.flatMap((i) => i.addresses);
  const judged = candidates.map((c) => ({ c, r: reachability(model, from.name, c.family, c.value) }));
  const pick = judged.filter((j) => j.c.family === 4).find((j) => j.r.reach) ?? judged.find((j) => j.r.reach) ?? judged[0];
  if (!pick) throw new UsageError(`${names[1]} has no address to trace to`);
  const address = formatIP({ family: pick.c.family, value: pick.c.value });
  const ns = from.netns!;
  if (!observed.netns[ns]) throw new UsageError(`${from.label} has no network namespace: run \`tscompose up\` first`);
  const expected = pick.r.path.slice(1);
  const maxHops = Math.min(30, Math.max(8, expected.length + 4));
  const results = await runProbes([{ id: 't', netns: ns, address, trace: maxHops }], { timeoutMs });
  const result = results.get('t')!;
  const hops = result.hops ?? [];
  const seen = hops.map((h) => {
    if (!h) return undefined;
    const p = parseIP(h);
    return p ? ownerOf(model, p.family, p.value)?.name : undefined;
  });
  const ok = result.reach === pick.r.reach && (!pick.r.reach || (seen.length === expected.length && seen.every((n, i) => n === expected[i])));
  if (json) {
    cli.out(
      JSON.stringify(
        {
          from: from.label,
          to: to?.label ?? address,
          address,
          expected: { reach: pick.r.reach, path: pick.r.path.map((n) => label(model, n)), ...(pick.r.why ? { why: pick.r.why } : {}) },
          hops: hops.map((h, i) => ({ ttl: i + 1, address: h ?? null, node: seen[i] ? label(model, seen[i]!) : null })),
          reach: result.reach,
          ok,
        },
        null,
        2,
      ) + '\n',
    );
    return ok ? 0 : ExitCode.drift;
  }
  const lines = [`Trace ${from.label} → ${to ? `${to.label} ` : ''}${address} (IPv${pick.c.family})`];
  lines.push(pick.r.reach ? `  expected: ${pathText(model, pick.r.path)}` : `  expected: blocked (${pick.r.why})`);
  const rows = hops.map((h, i) => {
    const want = expected[i];
    const mark = !pick.r.reach ? '' : seen[i] === want ? '✔' : '✘';
    return [String(i + 1), h ?? '*', seen[i] ? label(model, seen[i]!) : '?', mark];
  });
  if (rows.length) lines.push(renderTable(['hop', 'address', 'node', ''], rows).trimEnd().replace(/^/gm, '  '));
  lines.push(`  ${result.reach ? 'reached' : `blocked (${result.detail ?? 'no answer'})`}: ${ok ? 'as the routes in the file say' : 'NOT as the routes in the file say'}`);
  cli.out(lines.join('\n') + '\n');
  return ok ? 0 : ExitCode.drift;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Probe who reaches whom and compare with what the file implies.',
  usage: '[--trace FROM TO]',
  options: verifyOptions,
  run: verify,
};
