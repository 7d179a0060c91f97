/**
 * `tscompose pull [--quiet] [--json] [--platform P] IMAGE...`: fetch images
 * into the store (concurrently), with progress on stderr. Compose services'
 * images (`pull SERVICE...`) come with `image:` support in compose files.
 */
import { ImageError } from '../../image/errors';
import { pull } from '../../image/pull';
import { closeConnections } from '../../image/registry/http';
import { UsageError } from '../../errors';
import { flag, parseOptions, str, strs, type OptionSpec } from '../args';
import type { Cli } from '../context';
import { jsonRenderer, plainRenderer, ttyRenderer } from './pull-progress';

export const pullOptions: OptionSpec[] = [
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Print nothing but errors' },
  { name: 'json', type: 'boolean', description: 'Print progress as one JSON event per line on stdout' },
  { name: 'platform', type: 'string', arg: 'OS/ARCH[/VARIANT]', description: 'Platform to pull from a multi-platform image (default: this machine’s)' },
  { name: 'insecure-registry', type: 'string', multiple: true, arg: 'HOST[:PORT]', description: 'Allow plain HTTP to this registry (loopback ones always are)' },
];

/** Registries allowed over plain HTTP: --insecure-registry and $TSCOMPOSE_INSECURE_REGISTRIES (comma-separated). */
export function insecureRegistries(cli: Cli, options: ReturnType<typeof parseOptions>): string[] {
  const fromEnv = (cli.env.TSCOMPOSE_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return [...strs(options, 'insecure-registry'), ...fromEnv];
}

export async function pullCommand(cli: Cli, argv: string[]): Promise<number> {
  const parsed = parseOptions(argv, pullOptions);
  const images = parsed.positionals;
  if (!images.length) throw new UsageError('pull: name at least one image (tscompose pull IMAGE...)');
  const renderer = flag(parsed, 'json')
    ? jsonRenderer(cli.out)
    : process.stderr.isTTY && !flag(parsed, 'quiet')
      ? ttyRenderer(cli.err)
      : plainRenderer(cli.err, flag(parsed, 'quiet'));
  const platform = str(parsed, 'platform');
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
