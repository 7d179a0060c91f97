import type { Action } from '../../plan/actions';
import { VolumeStore } from '../../sys/volumes';
import type { ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/** The volume's directory exists (created on first use; kept by `down`). */
// Equivalent to: docker volume create NAME  (mkdir -p /var/lib/tscompose/volumes/NAME/_data)
export async function ensureVolume(a: Of<'volume.create'>, env: ApplyEnv): Promise<void> {
  (env.volumes ?? new VolumeStore()).ensure(a.volume, env.project);
}

/** `down -v`: the volume and its data are gone. */
// Equivalent to: docker volume rm NAME  (rm -rf /var/lib/tscompose/volumes/NAME)
export async function removeVolume(a: Of<'volume.delete'>, env: ApplyEnv): Promise<void> {
  (env.volumes ?? new VolumeStore()).remove(a.volume);
}
