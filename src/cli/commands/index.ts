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
  ['top', () => (require('./top') as typeof import('./top')).topCommand],
  ['stats', () => (require('./stats') as typeof import('./stats')).statsCommand],
  ['graph', () => (require('./graph') as typeof import('./graph')).graphCommand],
  ['verify', () => (require('./verify') as typeof import('./verify')).verifyCommand],
  ['pull', () => (require('./pull') as typeof import('./pull')).pullCommand],
  ['images', () => (require('./images') as typeof import('./images')).imagesCommand],
  ['rmi', () => (require('./rmi') as typeof import('./rmi')).rmiCommand],
  ['login', () => (require('./login') as typeof import('./login')).loginCommand],
  ['logout', () => (require('./logout') as typeof import('./logout')).logoutCommand],
  ['exec', () => (require('./exec') as typeof import('./exec')).execCommand],
];

/** The command named `name`, loaded; undefined for an unknown verb. */
export function loadCommand(name: string): Command | undefined {
  return commandTable.find(([n]) => n === name)?.[1]();
}

export const commandNames = (): string[] => commandTable.map(([n]) => n);
