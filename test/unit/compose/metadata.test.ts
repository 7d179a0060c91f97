import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { issues, lines, load, yaml } from './helpers';

test('labels (list or map), label_file (files first, labels win), annotations and expose are kept', (t) => {
  const p = load({
    'compose.yaml': yaml`
      services:
        web:
          labels: [traefik.enable=true, "x=from key", empty]
          label_file: [a.labels, sub/b.labels]
          annotations: {com.example.note: 5}
          expose: ["80", 8000-8002/udp, 53, 9000/sctp]
    `,
    'a.labels': '# comment\nx=from file\nonly.file="two words"\n',
    'sub/b.labels': 'b=1\n',
  });
  const web = p.services.web!;
  t.deepEqual(web.labels, { b: '1', empty: '', 'only.file': 'two words', 'traefik.enable': 'true', x: 'from key' });
  t.deepEqual(web.annotations, { 'com.example.note': '5' });
  t.deepEqual(web.expose, ['80/tcp', '8000-8002/udp', '53/tcp', '9000/sctp']);
  const bare = load('services:\n  web: {}\n').services.web!;
  t.is(bare.labels, undefined);
  t.is(bare.expose, undefined);
});

test('label_file as one string; labels from -f files merge by key', (t) => {
  const p = load(
    { 'compose.yaml': 'services:\n  web:\n    label_file: l\n    labels: {a: "1", b: "1"}\n', 'o.yaml': 'services:\n  web:\n    labels: [b=2]\n', l: 'f=1\n' },
    { files: ['compose.yaml', 'o.yaml'] },
  );
  t.deepEqual(p.services.web!.labels, { a: '1', b: '2', f: '1' });
});

test('bad metadata: a missing label file, reserved labels, bad exposed ports', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        web:
          label_file: nope.labels
          labels: {com.docker.compose.project: evil}
          expose: ["0", "80-70", "80/icmp", "80", 80, true]
    `,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:3:17 services.web.label_file.0: label file /proj/nope.labels not found',
    'compose.yaml:4:14 services.web.labels.com.docker.compose.project: label "com.docker.compose.project" is reserved: tscompose sets the com.docker.compose.* labels itself, as Compose does',
    'compose.yaml:5:14 services.web.expose.0: "0" is not a port, port range or port/protocol (e.g. 80, 8000-8010, 53/udp)',
    'compose.yaml:5:19 services.web.expose.1: "80-70" is not a port, port range or port/protocol (e.g. 80, 8000-8010, 53/udp)',
    'compose.yaml:5:28 services.web.expose.2: "80/icmp" is not a port, port range or port/protocol (e.g. 80, 8000-8010, 53/udp)',
    'compose.yaml:5:45 services.web.expose.4: duplicate entry "80"',
    'compose.yaml:5:49 services.web.expose.5: must be a string or number, not a boolean',
  ]);
});

test('config shows labels (label_file folded in), annotations and expose', (t) => {
  const p = load({ 'compose.yaml': 'services:\n  web:\n    label_file: l\n    expose: [80]\n    annotations: [k=v]\n', l: 'f=1\n' });
  const text = renderConfig(p);
  t.regex(text, /annotations:\n {6}k: v\n {4}expose:\n {6}- 80\/tcp\n {4}labels:\n {6}f: '1'\n/);
});

test('links: "svc" or "svc:alias", imply depends_on (as Compose); an undefined service is an error', (t) => {
  const p = load('services:\n  db: {}\n  web:\n    links: [db, "db:database"]\n');
  t.deepEqual(p.services.web!.links, [{ service: 'db', alias: 'db' }, { service: 'db', alias: 'database' }]);
  t.deepEqual(Object.keys(p.services.web!.dependsOn), ['db']);
  t.deepEqual(lines(issues(t, 'services:\n  web:\n    links: [ghost]\n')), ['compose.yaml:3:13 services.web.links.0: links to service "ghost", which is not defined']);
});
