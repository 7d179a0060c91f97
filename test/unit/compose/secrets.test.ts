import test from 'ava';
import { hasIssue, issues, load, yaml } from './helpers';

test('secrets and configs: short and long syntax resolve to targets, owners and modes as Compose sets them', (t) => {
  const p = load(
    yaml`
      services:
        a:
          secrets: [pw, { source: tok, target: token, uid: "7", gid: 8, mode: 0400 }, { source: tok, target: /etc/abs }]
          configs: [cfg, { source: inline, target: conf/app.ini, mode: "0o640" }]
      secrets:
        pw: { file: ./pw.txt }
        tok: { environment: TOKEN }
      configs:
        cfg: { file: /etc/cfg }
        inline: { content: "x=1" }
    `,
    { environment: { TOKEN: 'abc' } },
  );
  const files = p.services.a!.files!;
  t.deepEqual(
    files.map((f) => [f.kind, f.name, f.target, f.uid, f.gid, f.mode.toString(8)]),
    [
      ['secret', 'pw', '/run/secrets/pw', 0, 0, '444'],
      ['secret', 'tok', '/run/secrets/token', 7, 8, '400'],
      ['secret', 'tok', '/etc/abs', 0, 0, '444'],
      ['config', 'cfg', '/cfg', 0, 0, '444'],
      ['config', 'inline', '/conf/app.ini', 0, 0, '640'],
    ],
  );
  t.deepEqual(files[0]!.source, { file: '/proj/pw.txt' });
  t.deepEqual(files[1]!.source, { content: 'abc', fromEnvironment: 'TOKEN' });
});

test('secrets and configs: every mistake is named at its key', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a:
          secrets: [nope, { target: x }]
          configs: [{ source: c1, mode: rwx }]
      secrets:
        ext: { external: true }
        two: { file: a, environment: B }
        unset: { environment: NOT_SET_ANYWHERE }
        withcontent: { content: x }
      configs:
        c1: { content: x }
    `,
  );
  hasIssue(t, list, 'compose.yaml:3:15', 'services.a.secrets.0', 'nope is not in the top-level secrets');
  hasIssue(t, list, 'compose.yaml:3:21', 'services.a.secrets.1', 'needs a source');
  hasIssue(t, list, 'compose.yaml:4:29', 'services.a.configs.0.mode', 'must be a file mode');
  hasIssue(t, list, 'compose.yaml:6:10', 'secrets.ext.external', 'external secrets live in a Docker Swarm');
  hasIssue(t, list, 'compose.yaml:7:3', 'secrets.two', 'needs exactly one of file, environment (it has file and environment)');
  hasIssue(t, list, 'compose.yaml:8:12', 'secrets.unset.environment', 'the variable NOT_SET_ANYWHERE is not set');
  hasIssue(t, list, 'compose.yaml:9:18', 'secrets.withcontent.content', 'content');
});
