import test from 'ava';
import { load } from '../compose/helpers';
import { initialSyncs, watchSteps } from '../../../src/plan/watch';

const project = load(`services:
  web:
    build: .
    develop:
      watch:
        - {action: sync, path: /p/src, target: /app, ignore: ["*.log", "node_modules/"], include: ["*.js", "*.log", "lib/"]}
        - {action: sync+exec, path: /p/conf, target: /etc/c, exec: {command: ["reload"]}}
        - {action: sync+restart, path: /p/env.txt, target: /env.txt}
        - {action: rebuild, path: /p/package.json}
  db:
    image: pg
    develop:
      watch:
        - {action: restart, path: /p/db}
`);
const steps = (changes: Array<[string, boolean?]>) => watchSteps(project, ['db', 'web'], changes.map(([p, exists = true]) => ({ path: p, exists })));

test('a change below a sync rule\'s path is copied to the same place below its target; a removed one is removed', (t) => {
  t.deepEqual(steps([['/p/src/a.js'], ['/p/src/lib/x.txt'], ['/p/src/old.js', false]]), [
    { service: 'web', sync: [{ from: '/p/src/a.js', to: '/app/a.js', remove: false }, { from: '/p/src/lib/x.txt', to: '/app/lib/x.txt', remove: false }, { from: '/p/src/old.js', to: '/app/old.js', remove: true }], restart: false, rebuild: false, exec: [] },
  ]);
});

test('ignore wins over include; not included, editors\' scratch files and .git are not acted on; outside every path, nothing', (t) => {
  t.deepEqual(steps([['/p/src/debug.log'], ['/p/src/node_modules/m.js'], ['/p/src/readme.md'], ['/p/src/.a.js.swp'], ['/p/src/.git/index'], ['/p/srcs/a.js'], ['/other']]), []);
});

test('sync+exec runs its command after the sync, sync+restart restarts, restart alone only restarts', (t) => {
  t.deepEqual(steps([['/p/conf/a.conf'], ['/p/env.txt'], ['/p/db/x']]), [
    { service: 'db', sync: [], restart: true, rebuild: false, exec: [] },
    { service: 'web', sync: [{ from: '/p/conf/a.conf', to: '/etc/c/a.conf', remove: false }, { from: '/p/env.txt', to: '/env.txt', remove: false }], restart: true, rebuild: false, exec: [{ argv: ['reload'], env: {} }] },
  ]);
});

test('a rebuild makes the service\'s syncs, commands and restart moot', (t) => {
  t.deepEqual(steps([['/p/package.json'], ['/p/src/a.js'], ['/p/conf/a.conf']]), [{ service: 'web', sync: [], restart: false, rebuild: true, exec: [] }]);
});

test('initial_sync copies what each such rule would copy, and nothing else happens', (t) => {
  const p = load(`services:\n  web:\n    image: x\n    develop:\n      watch:\n        - {action: sync+restart, path: /p/src, target: /app, ignore: "*.tmp", initial_sync: true}\n        - {action: sync, path: /p/other, target: /o}\n`);
  t.deepEqual(initialSyncs(p, ['web'], ['/p/src/a', '/p/src/b.tmp', '/p/other/c']), [{ service: 'web', sync: [{ from: '/p/src/a', to: '/app/a', remove: false }], restart: false, rebuild: false, exec: [] }]);
});
