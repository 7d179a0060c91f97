/**
 * The project's containers as the journal records them, selected by
 * service name (all when none is given), for the verbs that act on
 * existing containers: exec, start, stop, restart, kill, top.
 */
import * as path from 'node:path';
import type { StateContainer } from '../plan/model';
import { isAlive, readProcessRef, type ProcessRef } from '../sys/shim';
import { checkServices, projectNameFor, type Cli } from './context';

export interface JournalContainer {
  name: string;
  service: string;
  index: number;
  state: StateContainer;
  dir: string;
}

/** The journal's containers of the services named (all when none), and every one of the project (`all`). */
export function journalContainers(cli: Cli, services: string[]): { project: string; containers: JournalContainer[]; all: JournalContainer[] } {
  const { name, project } = projectNameFor(cli);
  if (project) checkServices(project, services);
  const journal = cli.state.readState(name);
  const all = Object.entries(journal?.containers ?? {})
    .map(([n, c]) => ({ name: n, service: c.service, index: c.index, state: c, dir: cli.state.containerDir(name, n) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { project: name, containers: all.filter((c) => !services.length || services.includes(c.service)), all };
}

/** The container's process, if it is running. */
/** The container's shim, while alive (running it, or waiting out a restart back-off). */
export function liveShim(c: JournalContainer): ProcessRef | undefined {
  const shim = readProcessRef(path.join(c.dir, 'shim.pid'));
  return shim && isAlive(shim) ? shim : undefined;
}

export function runningInit(c: JournalContainer): ProcessRef | undefined {
  const init = readProcessRef(path.join(c.dir, 'init.pid'));
  return init && isAlive(init) ? init : undefined;
}
