import * as path from 'node:path';
import { FILE_NAMES } from '../../observe/containers';
import type { Action } from '../../plan/actions';
import { writeInPlace } from '../../sys/state';
import type { ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/**
 * Generated files live in the container's state directory and are
 * bind-mounted read-only; updates rewrite them in place so a running
 * container sees new peers in /etc/hosts without a restart.
 */
export async function writeFiles(a: Of<'files.write'>, env: ApplyEnv): Promise<void> {
  const dir = env.state.ensureContainerDir(env.project, a.container);
  for (const [key, file] of Object.entries(FILE_NAMES) as Array<[keyof typeof FILE_NAMES, string]>) {
    writeInPlace(path.join(dir, file), a.files[key], 0o644);
  }
}
