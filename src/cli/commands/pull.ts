/**
 * `tscompose pull [--quiet] [--json] [--platform P] [IMAGE... | SERVICE...]`:
 * fetch images into the store (concurrently), with progress on stderr.
 * Without arguments, or when every argument is a service of the compose
 * file, the services' images (as `docker compose pull`: whatever their
 * pull_policy but `never`; an image only built is skipped).
 */
import { ImageError } from '../../image/errors';
import { pull } from '../../image/pull';
import { closeConnections } from '../../image/registry/http';
import { ensureImages } from '../../apply/images';
import { UsageError } from '../../errors';
import type { Project } from '../../compose/types';
import { flag, str, strs, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, type Cli } from '../context';
import { jsonRenderer, plainRenderer, ttyRenderer } from './pull-progress';

export const pullOptions: OptionSpec[] = [
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Print nothing but errors' },
  { name: 'json', type: 'boolean', description: 'Print progress as one JSON event per line on stdout' },
  { name: 'platform', type: 'string', arg: 'OS/ARCH[/VARIANT]', description: 'Platform to pull from a multi-platform image (default: this machine’s)' },
  { name: 'insecure-registry', type: 'string', multiple: true, arg: 'HOST[:PORT]', description: 'Allow plain HTTP to this registry (loopback ones always are)' },
];

/** Registries allowed over plain HTTP: --insecure-registry and $TSCOMPOSE_INSECURE_REGISTRIES (comma-separated). */
export function insecureRegistries(cli: Cli, options: Parsed): string[] {
  const fromEnv = (cli.env.TSCOMPOSE_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return [...strs(options, 'insecure-registry'), ...fromEnv];
}

/** The compose project when the arguments are its services (or there are none), else undefined. */
function servicesProject(cli: Cli, args: string[]): Project | undefined {
  if (!args.length) return loadComposeProject(cli);
  try {
    const project = loadComposeProject(cli);
    return args.every((a) => Object.hasOwn(project.services, a)) ? project : undefined;
  } catch {
    return undefined; // no (valid) compose file here: the arguments are images
  }
}

async function run(cli: Cli, parsed: Parsed): Promise<number> {
  const images = parsed.positionals;
  const project = servicesProject(cli, images);
  const renderer = flag(parsed, 'json')
    ? jsonRenderer(cli.out)
    : process.stderr.isTTY && !flag(parsed, 'quiet')
      ? ttyRenderer(cli.err)
      : plainRenderer(cli.err, flag(parsed, 'quiet'));
  const platform = str(parsed, 'platform');
  if (project) {
    if (platform) throw new UsageError('pull: --platform is for images; a service\'s platform key decides for it');
    try {
      await ensureImages(project, {
        emit: (e) => e.type === 'pull' && renderer.event(e.event),
        insecure: insecureRegistries(cli, parsed),
        services: images,
        force: true,
      });
    } finally {
      renderer.close();
    }
    return 0;
  }
  const results = await Promise.allSettled(
    images.map((image) =>
      pull(image, { ...(platform ? { platform } : {}), insecure: insecureRegistries(cli, parsed), emit: (e) => renderer.event(e) }),
    ),
  );
  renderer.close();
  closeConnections();
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
  if (!failures.length) return 0;
  if (failures.length === 1) throw failures[0];
  throw new ImageError(failures.map((f) => f.message).join('\n'));
}

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Fetch images from their registries into the image store.',
  usage: '[--platform OS/ARCH] [IMAGE... | SERVICE...]',
  options: pullOptions,
  run,
};
