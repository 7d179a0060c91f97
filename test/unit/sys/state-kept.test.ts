/**
 * The last user of a network another project's `down` kept removes it under
 * that project's lock: taken without blocking the process (two projects
 * taking each other's locks in their `down`s would otherwise deadlock).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProjectState } from '../../../src/plan/model';
import { StateDir } from '../../../src/sys/state';

test('forgetKeptNetwork waits for the owner\'s lock without blocking, then drops the network and the emptied record', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-state-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const state = new StateDir(root);
  const record: ProjectState = {
    version: 1,
    project: 'own',
    networks: { front: { bridge: 'tsc-b-front' } as ProjectState['networks'][string] },
    containers: {},
    keptForJoiners: true,
    updatedAt: new Date().toISOString(),
  };
  state.writeState(record);
  const held = state.lockProject('own');
  let removed = false;
  // The owner's run lets go 200 ms later: a timer that only fires if the event loop is free meanwhile.
  setTimeout(() => held.release(), 200);
  t.true(await state.forgetKeptNetwork('own', 'front', async () => void (removed = true)));
  t.true(removed);
  t.false(fs.existsSync(state.projectDir('own')), 'the record went with its last network');
});

test('reduceToRecord: the record is written before anything else goes (a crash midway keeps it); only it and the lock stay', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-state-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const state = new StateDir(root);
  const full: ProjectState = { version: 1, project: 'own', networks: {}, containers: {}, updatedAt: new Date().toISOString() };
  state.writeState(full);
  const dir = state.projectDir('own');
  fs.mkdirSync(path.join(dir, 'containers', 'own-web-1'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'containers', 'own-web-1', 'init.pid'), '1\n');
  fs.mkdirSync(path.join(dir, 'dns'));
  state.lockProject('own').release();
  const record: ProjectState = { ...full, networks: { front: { bridge: 'tsc-b-front' } as ProjectState['networks'][string] }, keptForJoiners: true };

  // A crash at the first removal: the record must already be there.
  // The module object itself (the namespace import only has getters).
  const nodeFs: { rmSync: typeof fs.rmSync } = require('node:fs');
  const rmSync = nodeFs.rmSync;
  nodeFs.rmSync = () => {
    throw new Error('killed');
  };
  try {
    t.throws(() => state.reduceToRecord(record), { message: 'killed' });
  } finally {
    nodeFs.rmSync = rmSync;
  }
  t.true(state.readState('own')?.keptForJoiners, 'the record survives a crash midway');

  state.reduceToRecord(record);
  t.deepEqual(fs.readdirSync(dir).sort(), ['.lock', 'state.json']);
  t.deepEqual(state.readState('own')?.networks, record.networks);
});
