/**
 * Every verb, in the order `tscompose --help` lists them. Each module is
 * loaded when its verb runs: `--version` or `ps` should not pay for the
 * planner and netlink (only `--help` loads them all, for the summaries).
 */
import type { Command } from '../command';

export const commandTable: ReadonlyArray<readonly [name: string, load: () => Command]> = [
  ['up', () => (require('./up') as typeof import('./up')).upCommand],
  ['down', () => (require('./down') as typeof import('./down')).downCommand],
  ['ps', () => (require('./ps') as typeof import('./ps')).psCommand],
  ['plan', () => (require('./plan') as typeof import('./plan')).planCommand],
  ['check', () => (require('./check') as typeof import('./check')).checkCommand],
  ['config', () => (require('./config') as typeof import('./config')).configCommand],
  ['logs', () => (require('./logs') as typeof import('./logs')).logsCommand],
  ['start', () => (require('./lifecycle') as typeof import('./lifecycle')).startCommand],
  ['stop', () => (require('./lifecycle') as typeof import('./lifecycle')).stopCommand],
  ['restart', () => (require('./lifecycle') as typeof import('./lifecycle')).restartCommand],
  ['kill', () => (require('./lifecycle') as typeof import('./lifecycle')).killCommand],
  ['pause', () => (require('./pause') as typeof import('./pause')).pauseCommand],
  ['unpause', () => (require('./pause') as typeof import('./pause')).unpauseCommand],
  ['wait', () => (require('./wait') as typeof import('./wait')).waitCommand],
  ['port', () => (require('./port') as typeof import('./port')).portCommand],
  ['ls', () => (require('./ls') as typeof import('./ls')).lsCommand],
  ['rm', () => (require('./rm') as typeof import('./rm')).rmCommand],
  ['create', () => (require('./create') as typeof import('./create')).createCommand],
  ['watch', () => (require('./watch') as typeof import('./watch')).watchCommand],
  ['cp', () => (require('./cp') as typeof import('./cp')).cpCommand],
  ['run', () => (require('./run') as typeof import('./run')).runCommand],
  ['top', () => (require('./top') as typeof import('./top')).topCommand],
  ['stats', () => (require('./stats') as typeof import('./stats')).statsCommand],
  ['graph', () => (require('./graph') as typeof import('./graph')).graphCommand],
  ['convert', () => (require('./convert') as typeof import('./convert')).convertCommand],
  ['verify', () => (require('./verify') as typeof import('./verify')).verifyCommand],
  ['pull', () => (require('./pull') as typeof import('./pull')).pullCommand],
  ['build', () => (require('./build') as typeof import('./build')).buildCommand],
  ['images', () => (require('./images') as typeof import('./images')).imagesCommand],
  ['image', () => (require('./image') as typeof import('./image')).imageCommand],
  ['rmi', () => (require('./rmi') as typeof import('./rmi')).rmiCommand],
  ['login', () => (require('./login') as typeof import('./login')).loginCommand],
  ['logout', () => (require('./logout') as typeof import('./logout')).logoutCommand],
  ['attach', () => (require('./attach') as typeof import('./attach')).attachCommand],
  ['exec', () => (require('./exec') as typeof import('./exec')).execCommand],
  ['events', () => (require('./events') as typeof import('./events')).eventsCommand],
  ['boot', () => (require('./boot') as typeof import('./boot')).bootCommand],
];

/** The command named `name`, loaded; undefined for an unknown verb. */
export function loadCommand(name: string): Command | undefined {
  return commandTable.find(([n]) => n === name)?.[1]();
}

export const commandNames = (): string[] => commandTable.map(([n]) => n);
