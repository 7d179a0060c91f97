import test from 'ava';
import { SpecError } from '../../../src/errors';
import { discoverFiles, displayPath } from '../../../src/compose/files';
import { normalizeProjectName } from '../../../src/compose/names';
import { hasIssue, issues, lines, load } from './helpers';

const svc = 'services:\n  web: {}\n';

test('discovery: first default name wins, with its matching override file', (t) => {
  const has = (names: string[]) => (p: string) => (names.includes(p) ? 'x' : undefined);
  t.deepEqual(discoverFiles('/d', has(['/d/docker-compose.yml', '/d/compose.yaml'])), ['/d/compose.yaml']);
  t.deepEqual(discoverFiles('/d', has(['/d/compose.yml', '/d/compose.override.yml'])), ['/d/compose.yml', '/d/compose.override.yml']);
  t.deepEqual(discoverFiles('/d', has(['/d/compose.yaml', '/d/compose.override.yml'])), ['/d/compose.yaml', '/d/compose.override.yml']);
  t.deepEqual(discoverFiles('/d', has(['/d/docker-compose.yaml', '/d/docker-compose.override.yaml', '/d/compose.override.yaml'])), [
    '/d/docker-compose.yaml',
    '/d/docker-compose.override.yaml',
  ]);
});

test('discovery: like Compose, a parent directory is searched when cwd has no file', (t) => {
  const p = load({ '/top/compose.yaml': svc }, { cwd: '/top/sub/dir' });
  t.deepEqual(p.files, ['/top/compose.yaml']);
  t.is(p.workingDir, '/top');
  t.is(p.name, 'top');
});

test('no compose file at all is one clear error', (t) => {
  const err = t.throws(() => load({}, { cwd: '/empty' }), { instanceOf: SpecError });
  t.regex(err!.message, /^no compose file found in \/empty or its parents \(looked for compose\.yaml, compose\.yml, docker-compose\.yaml, docker-compose\.yml\)/);
});

test('locations name files relative to cwd when inside it', (t) => {
  t.is(displayPath('/proj/compose.yaml', '/proj'), 'compose.yaml');
  t.is(displayPath('/proj/sub/x.yaml', '/proj'), 'sub/x.yaml');
  t.is(displayPath('/elsewhere/x.yaml', '/proj'), '/elsewhere/x.yaml');
});

test('project name: -p wins over everything', (t) => {
  const p = load({ 'compose.yaml': `name: fromfile\n${svc}`, '.env': 'COMPOSE_PROJECT_NAME=fromenv\n' }, { projectName: 'cli' });
  t.is(p.name, 'cli');
});

test('project name: COMPOSE_PROJECT_NAME from the environment, then from .env', (t) => {
  const files = { 'compose.yaml': `name: fromfile\n${svc}`, '.env': 'COMPOSE_PROJECT_NAME=fromdotenv\n' };
  t.is(load(files, { environment: { COMPOSE_PROJECT_NAME: 'fromshell' } }).name, 'fromshell');
  t.is(load(files).name, 'fromdotenv');
});

test('project name: top-level name (interpolated), then the directory', (t) => {
  t.is(load(`name: app-\${STAGE}\n${svc}`, { environment: { STAGE: 'dev' } }).name, 'app-dev');
  t.is(load({ '/My Project.v2/compose.yaml': svc }, { cwd: '/My Project.v2' }).name, 'myprojectv2');
});

test('the directory name is normalized as Compose does', (t) => {
  t.is(normalizeProjectName('My_App-1'), 'my_app-1');
  t.is(normalizeProjectName('__x.y'), 'xy');
  t.is(normalizeProjectName('...'), '');
});

test('explicit invalid names are errors', (t) => {
  t.deepEqual(lines(issues(t, svc, { projectName: 'Bad Name' })), [
    ': invalid project name "Bad Name" (-p): a project name must contain only lowercase letters, digits, "-" and "_", and start with a letter or digit',
  ]);
  hasIssue(t, issues(t, `name: _x\n${svc}`), 'compose.yaml:1:1', 'name', 'invalid project name "_x" (top-level name)');
  t.is(issues(t, svc, { environment: { COMPOSE_PROJECT_NAME: 'UPPER' } })[0]!.message.includes('(COMPOSE_PROJECT_NAME)'), true);
  t.deepEqual(lines(issues(t, { '/___/compose.yaml': svc }, { cwd: '/___' })), [': cannot derive a project name from the directory "___"; set one with -p or a top-level name']);
});

test('-p is visible to the file as ${COMPOSE_PROJECT_NAME}', (t) => {
  const p = load('services:\n  web:\n    hostname: ${COMPOSE_PROJECT_NAME}-web\n', { projectName: 'lab' });
  t.is(p.services.web!.hostname, 'lab-web');
});

test('Project carries files, workingDir and sources', (t) => {
  const p = load({ 'sub/c.yaml': 'services:\n  web:\n    hostname: h\n' }, { files: ['sub/c.yaml'] });
  t.deepEqual(p.files, ['/proj/sub/c.yaml']);
  t.is(p.workingDir, '/proj/sub');
  t.is(p.name, 'sub');
  t.deepEqual(p.sources.get('services.web.hostname'), { file: 'sub/c.yaml', line: 3, col: 5 });
});

test('the obsolete version key is accepted with a warning', (t) => {
  const p = load(`version: "3.8"\n${svc}`);
  t.deepEqual(p.warnings?.map((w) => w.message), ['the attribute "version" is obsolete and ignored; remove it']);
});
