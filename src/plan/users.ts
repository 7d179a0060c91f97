/**
 * `user:` resolution against passwd/group text (the host's today, the root
 * filesystem's once containers have their own): `uid`, `uid:gid`, `name`,
 * `name:group`. Supplementary groups are dropped, as Docker does without
 * `group_add`.
 */

interface Entry {
  name: string;
  id: number;
  gid?: number;
}

function parseDb(text: string, withGid: boolean): Entry[] {
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const id = Number(f[2]);
    if (!f[0] || !Number.isInteger(id)) continue;
    out.push({ name: f[0], id, ...(withGid ? { gid: Number(f[3]) } : {}) });
  }
  return out;
}

const isId = (s: string) => /^\d+$/.test(s);

export function lookupUser(spec: string, passwd: string, group: string): { uid: number; gid: number } | { error: string } {
  const [u, g] = spec.split(':', 2) as [string, string | undefined];
  const users = parseDb(passwd, true);
  let uid: number;
  let gid: number | undefined;
  if (isId(u)) {
    uid = Number(u);
    gid = users.find((e) => e.id === uid)?.gid;
  } else {
    const e = users.find((x) => x.name === u);
    if (!e) return { error: `user ${u} not found in /etc/passwd` };
    uid = e.id;
    gid = e.gid;
  }
  if (g !== undefined) {
    if (isId(g)) gid = Number(g);
    else {
      const e = parseDb(group, false).find((x) => x.name === g);
      if (!e) return { error: `group ${g} not found in /etc/group` };
      gid = e.id;
    }
  }
  if (uid > 0xfffffffe || (gid ?? 0) > 0xfffffffe) return { error: `${spec}: id out of range` };
  return { uid, gid: gid ?? 0 };
}
