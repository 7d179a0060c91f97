import type { HookSpec } from '../../compose/lifecycle-types';
import type { LaunchHook } from '../model';

/** A hook as the file says it → as it runs (post_start, pre_stop, develop.watch's exec). */
export function launchHook(h: HookSpec): LaunchHook {
  return {
    argv: h.command,
    ...(h.user !== undefined ? { user: h.user } : {}),
    ...(h.privileged ? { privileged: true } : {}),
    ...(h.workingDir !== undefined ? { cwd: h.workingDir } : {}),
    env: { ...h.environment },
  };
}
