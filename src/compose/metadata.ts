/**
 * A service's metadata keys, none with an effect on the container:
 * `labels`, `label_file`, `annotations` (kept and shown), `attach` (whether
 * an attached `up` shows its output), `profiles` (applied in profiles.ts)
 * and `expose` (recorded, as Docker: it opens nothing, the bridge already
 * lets containers reach each other).
 */
import { posix } from 'node:path';
import { parseDotenv } from './dotenv';
import type { EnvContext } from './environment';
import { labels as readLabels } from './network';
import { readProfiles } from './profiles';
import { field, sortedRecord } from './read';
import type { Field } from './read';
import { childPath } from './tree';
import type { ServiceSpec } from './types';

/** Labels Compose sets itself (com.docker.compose.project, .service, …); we set them the same way. */
export const RESERVED_LABEL_PREFIX = 'com.docker.compose.';

/** Reads labels, label_file, attach, annotations, profiles, links and expose into `svc` (absent keys leave it unchanged). */
export function serviceMetadata(svc: ServiceSpec, keys: ReadonlyMap<string, Field>, ctx: EnvContext): void {
  const r = ctx.reader;
  const lf = keys.get('label_file');
  const lk = keys.get('labels');
  // As Compose: the files first, then `labels` wins.
  const all = new Map<string, { value: string; f: Field }>();
  if (lf) for (const [k, v] of labelFiles(lf, ctx)) all.set(k, { value: v, f: lf });
  if (lk) {
    const map = r.map(lk);
    const read = readLabels(lk, r);
    for (const [k, v] of Object.entries(read)) {
      const e = map?.entries.get(k);
      all.set(k, { value: v, f: e ? field(lk.path, e) : lk });
    }
  }
  const out: Array<[string, string]> = [];
  for (const [k, { value, f }] of all) {
    if (k.startsWith(RESERVED_LABEL_PREFIX)) r.error(f, `label "${k}" is reserved: tscompose sets the ${RESERVED_LABEL_PREFIX}* labels itself, as Compose does`);
    else out.push([k, value]);
  }
  if (out.length) svc.labels = sortedRecord(out);
  const at = keys.get('attach');
  // `attach: false`: `up` (attached) does not follow this service's output, as Compose.
  if (at && r.bool(at) === false) svc.attach = false;
  const af = keys.get('annotations');
  if (af) {
    const a = readLabels(af, r);
    if (Object.keys(a).length) svc.annotations = a;
  }
  const pf = keys.get('profiles');
  const profiles = pf ? readProfiles(pf, r) : undefined;
  if (profiles?.length) svc.profiles = profiles;
  const lnk = keys.get('links');
  if (lnk) {
    const links = (r.strings(lnk) ?? []).map(({ value }) => {
      const [service, alias] = value.split(':', 2) as [string, string | undefined];
      return { service, alias: alias || service };
    });
    if (links.length) svc.links = links;
  }
  const xl = keys.get('external_links');
  if (xl) {
    const links = (r.strings(xl) ?? []).map(({ value }) => {
      const [container, alias] = value.split(':', 2) as [string, string | undefined];
      return { container, alias: alias || container };
    });
    if (links.length) svc.externalLinks = links;
  }
  const ef = keys.get('expose');
  if (ef) {
    const e = expose(ef, ctx);
    if (e.length) svc.expose = e;
  }
}

function labelFiles(f: Field, ctx: EnvContext): Map<string, string> {
  const r = ctx.reader;
  const out = new Map<string, string>();
  const list = r.strings(f);
  for (const { value, field: itf } of list ?? []) {
    const abs = posix.resolve(ctx.projectDir, value);
    const { text, missing, display } = ctx.readEnvFile(abs, itf.path);
    if (text === undefined) {
      if (missing) r.error(itf, `label file ${abs} not found`);
      continue;
    }
    // compose-go reads label files with its dotenv parser; values are not interpolated from the project here either.
    for (const [k, v] of parseDotenv(text, display, () => undefined, r.issues, { path: itf.path, raw: false })) out.set(k, v);
  }
  return out;
}

const EXPOSE_RE = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/;

/** `expose: ["80", 8080, "9000-9001/udp"]` → ["80/tcp", "8080/tcp", "9000-9001/udp"]. */
function expose(f: Field, ctx: EnvContext): string[] {
  const r = ctx.reader;
  if (f.node.kind !== 'seq') {
    r.error(f, 'must be a list of ports');
    return [];
  }
  const out: string[] = [];
  f.node.items.forEach((it, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: it.loc, node: it };
    const text = r.text(itf);
    if (text === undefined) return;
    const m = EXPOSE_RE.exec(text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < 1 || hi > 65535 || hi < lo) {
      r.error(itf, `"${text}" is not a port, port range or port/protocol (e.g. 80, 8000-8010, 53/udp)`);
      return;
    }
    const port = `${lo === hi ? lo : `${lo}-${hi}`}/${m[3] ?? 'tcp'}`;
    if (out.includes(port)) r.error(itf, `duplicate entry "${text}"`);
    else out.push(port);
  });
  return out;
}
