/**
 * `up` and `plan` fetch the file's images (as `pull_policy` says) before
 * they observe and plan; what observe then reads from the image store.
 */
import { ensureImages, projectImages } from '../apply/images';
import type { Project } from '../compose/types';
import type { Emit } from '../events';
import type { BuildFlag } from '../plan/image';
import type { Cli } from './context';

/** Pull and build what is needed (unless `pull` is false; `build`: --build/--no-build); returns the image names for observe. */
export async function imagesFirst(cli: Cli, project: Project, services: string[], emit: Emit, pull = true, build?: BuildFlag): Promise<string[]> {
  const insecure = (cli.env.TSCOMPOSE_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (pull) await ensureImages(project, { emit, insecure, services, ...(build ? { build } : {}) });
  return projectImages(project, services);
}
