/**
 * `tscompose build [--no-cache] [--pull] [SERVICE...]`: build the images of
 * the services that have `build` (all, or those named), whatever their
 * pull_policy, as `docker compose build` does. The builder's output goes
 * to stderr under each service's name; `--json` prints the built images.
 */
import { build, checkContext } from '../../apply/images';
import { findImage } from '../../image/store/images';
import { StoreLayout } from '../../image/store/layout';
import { UsageError } from '../../errors';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, loadComposeProject, progress, type Cli } from '../context';

const buildOptions: OptionSpec[] = [
  { name: 'no-cache', type: 'boolean', description: 'Do not reuse the builder’s cached steps' },
  { name: 'pull', type: 'boolean', description: 'Fetch newer base images even when the builder has them' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Print nothing but errors' },
  { name: 'json', type: 'boolean', description: 'Print the built images as JSON on stdout' },
];

async function run(cli: Cli, args: Parsed): Promise<number> {
  const project = loadComposeProject(cli, args.positionals);
  checkServices(project, args.positionals);
  const named = new Set(args.positionals);
  const services = Object.values(project.services).filter((s) => !named.size || named.has(s.name));
  const buildable = services.filter((s) => s.build);
  if (named.size && buildable.length < services.length) {
    const without = services.filter((s) => !s.build).map((s) => s.name);
    throw new UsageError(`build: ${without.join(', ')} ${without.length > 1 ? 'have' : 'has'} no build section`);
  }
  const quiet = flag(args, 'quiet') || flag(args, 'json');
  const emit = quiet ? () => {} : progress(cli, project.name);
  const insecure = (cli.env.TSCOMPOSE_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const layout = new StoreLayout();
  for (const svc of buildable) checkContext(project, svc);
  const built: Array<{ service: string; image: string; id: string }> = [];
  const done = new Set<string>();
  for (const svc of buildable) {
    const image = svc.image!.name;
    if (done.has(image)) continue;
    done.add(image);
    const spec = { ...svc.build!, ...(flag(args, 'no-cache') ? { noCache: true } : {}), ...(flag(args, 'pull') ? { pull: true } : {}) };
    await build({ ...svc, build: spec }, layout, { emit, insecure });
    built.push({ service: svc.name, image, id: (await findImage(layout, image))!.configDigest });
  }
  if (flag(args, 'json')) cli.out(JSON.stringify(built, null, 2) + '\n');
  else if (!buildable.length && !quiet) cli.err('no service has a build section: nothing to build\n');
  return 0;
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build the images of services that have a build section (with buildah).',
  usage: '[--no-cache] [--pull] [SERVICE...]',
  options: buildOptions,
  run,
};
