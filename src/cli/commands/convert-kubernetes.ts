/**
 * `convert --format kubernetes`: the objects as one YAML stream on stdout,
 * or one file per object in `-o DIR` (a Kustomize base with `--kustomize`).
 * With `--strict`, anything that does not map is an error and nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Project } from '../../compose/types';
import { SpecError, UsageError } from '../../errors';
import { toKubernetes, type PublishAs } from '../../convert/kubernetes';
import { yamlFiles, yamlStream } from '../../convert/kubernetes/render';
import type { ConvertWarning } from '../../convert/warnings';
import { flag, str, type Parsed } from '../args';
import type { Cli } from '../context';

const PUBLISH_AS: readonly PublishAs[] = ['LoadBalancer', 'NodePort'];

export function convertKubernetes(cli: Cli, args: Parsed, project: Project): ConvertWarning[] {
  const publishAs = str(args, 'publish-as') ?? 'LoadBalancer';
  if (!(PUBLISH_AS as readonly string[]).includes(publishAs)) throw new UsageError(`--publish-as takes ${PUBLISH_AS.join(' or ')}, not ${JSON.stringify(publishAs)}`);
  const out = str(args, 'output');
  const kustomize = flag(args, 'kustomize');
  if (kustomize && !out) throw new UsageError('--kustomize writes a directory: give it with -o DIR');
  const readFile = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const { namespace, objects, warnings } = toKubernetes(project, { publishAs: publishAs as PublishAs, readFile });
  const unmapped = warnings.filter((w) => w.kind === 'unmapped');
  if (flag(args, 'strict') && unmapped.length) {
    throw new SpecError(unmapped.map((w) => ({ path: w.path, ...(w.loc ? { loc: w.loc } : {}), message: `does not map to kubernetes (--strict): ${w.message}` })));
  }
  if (flag(args, 'json')) cli.out(`${JSON.stringify({ objects, warnings }, null, 2)}\n`);
  else if (!out) cli.out(yamlStream(objects));
  if (out) {
    const dir = path.resolve(cli.cwd, out);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of yamlFiles(objects, namespace, kustomize)) fs.writeFileSync(path.join(dir, name), text);
  }
  return warnings;
}
