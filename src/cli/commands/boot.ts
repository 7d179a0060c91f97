/**
 * `boot`: after a reboot, bring back what restart policies keep running —
 * Docker does it when dockerd starts, podman with podman-restart.service; we
 * have no daemon, so a boot unit runs this once. Each project `up` recorded
 * (sys/boot-records.ts) goes up again with its `always` services and the
 * `unless-stopped` ones the user did not stop; the others stay down.
 */
import * as path from 'node:path';
import { loadProject, type Project } from '../../compose';
import { BootRecords, type BootRecord } from '../../sys/boot-records';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { fsReader, type Cli } from '../context';
import { upCommand } from './up';

const bootOptions: OptionSpec[] = [
  { name: 'unit', type: 'boolean', description: 'Print a systemd unit that runs `tscompose boot` at startup, and exit' },
];

/** Services to bring back: `always`, and `unless-stopped` unless the user stopped every replica. */
export function servicesToBoot(project: Project, stopped: ReadonlySet<string>): string[] {
  return Object.values(project.services)
    .filter((s) => {
      if (s.restart?.policy === 'always') return true;
      if (s.restart?.policy !== 'unless-stopped') return false;
      const names = Array.from({ length: s.scale }, (_, i) => s.containerName ?? `${project.name}-${s.name}-${i + 1}`);
      return !names.every((n) => stopped.has(n));
    })
    .map((s) => s.name)
    .sort();
}

export function systemdUnit(cliPath: string): string {
  return `[Unit]
Description=tscompose: start containers whose restart policy is always or unless-stopped
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=${cliPath} boot
RemainAfterExit=true

[Install]
WantedBy=default.target
`;
}

async function bootProject(cli: Cli, records: BootRecords, r: BootRecord): Promise<void> {
  const project = loadProject({ files: [r.composeFile], cwd: r.workingDir, projectName: r.project, environment: {}, reader: fsReader() });
  const services = servicesToBoot(project, records.stopped(r.project));
  if (!services.length) {
    cli.err(` ✔ Project ${r.project}  nothing to restart\n`);
    return;
  }
  const global: Parsed = {
    options: { ...cli.global.options, file: [r.composeFile], 'project-name': r.project, 'project-directory': r.workingDir, profile: [] },
    positionals: [],
  };
  await upCommand.run({ ...cli, global, env: {} }, { options: { detach: true }, positionals: services });
}

async function boot(cli: Cli, args: Parsed): Promise<number> {
  if (flag(args, 'unit')) {
    cli.out(systemdUnit(path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tscompose')));
    return 0;
  }
  const records = new BootRecords();
  let failed = 0;
  for (const r of records.list()) {
    try {
      await bootProject(cli, records, r);
    } catch (e) {
      failed++;
      cli.err(`tscompose boot: project ${r.project}: ${(e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

export const bootCommand: Command = {
  name: 'boot',
  summary: 'After a reboot: start the containers whose restart policy says so (run once at startup).',
  usage: '',
  options: bootOptions,
  run: boot,
};
