/** The lifecycle parts of a service as the file says them: restart policy, hooks, healthcheck. */

/** What the container's shim does when its process exits (absent policy: never restart). */
export interface RestartPolicy {
  policy: 'always' | 'on-failure' | 'unless-stopped';
  /** on-failure:N / max_attempts: restarts at most this many times; absent: no limit. */
  maxRetries?: number;
  /** deploy.restart_policy.delay: the first back-off (Docker's is 100 ms), doubled after each quick exit. */
  delayMs?: number;
  /** `x-restart-on-unhealthy: true`: the shim SIGKILLs the container when its healthcheck says unhealthy. */
  onUnhealthy?: true;
}

/** One lifecycle hook: a command run in the container as `exec` runs one. */
export interface HookSpec {
  command: string[];
  /** As written (name or uid[:gid]); looked up in the container's /etc/passwd when it runs. */
  user?: string;
  privileged?: boolean;
  workingDir?: string;
  environment: Record<string, string>;
}

/** `healthcheck` as the file says it; what it leaves out comes from the image, then Docker's defaults. */
export interface HealthcheckSpec {
  /** `disable: true` or `test: [NONE]`: no check, the image's neither. */
  disabled?: true;
  /** The argv the check runs (CMD-SHELL: /bin/sh -c CMD). */
  test?: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}
