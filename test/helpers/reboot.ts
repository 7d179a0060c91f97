/**
 * A simulated reboot of a throwaway host: every process but the holder
 * killed, fresh tmpfs over /run/tscompose and /run/netns, our links deleted
 * as a reboot would; /var/lib/tscompose (named volumes, boot records) stays.
 */
import type { Host } from './host';

export async function reboot(host: Host): Promise<void> {
  const r = await host.sh(
    [
      // Every process but the holder (PID 1, and its sleep: the holder's `set -e` would end with it) and this shell.
      'for d in /proc/[0-9]*; do p=${d#/proc/}; { [ "$p" = 1 ] || [ "$p" = $$ ] || { [ "$(cut -d" " -f4 $d/stat 2>/dev/null)" = 1 ] && [ "$(cat $d/comm 2>/dev/null)" = sleep ]; }; } || kill -9 "$p" 2>/dev/null; done',
      'sleep 0.3',
      'umount -l /run/tscompose && mount -t tmpfs -o mode=0700 tmpfs /run/tscompose',
      'umount -l /run/netns && mount -t tmpfs -o mode=0755 tmpfs /run/netns',
      // A reboot takes every link with it; the namespaces went with their last mount and process.
      'for l in $(ip -o link show | awk -F": " \'{print $2}\' | cut -d@ -f1 | grep "^tsc-"); do ip link del "$l" 2>/dev/null || true; done',
    ].join('\n'),
  );
  if (r.code !== 0) throw new Error(`reboot: exit ${r.signal ?? r.code}: ${r.stderr}`);
}
