import type { Action } from '../../plan/actions';
import { applyScript } from '../../sys/nft';
import type { ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/**
 * The plan carries the whole script; nft applies it as one transaction, so
 * the rules are either all old or all new. A race with someone else's change
 * (a handle gone meanwhile) fails the whole script: the next `up` re-plans.
 */
// Equivalent to: nft -f - <<< "table inet tscompose-P {}; delete table inet tscompose-P; table inet tscompose-P { … }; insert rule …"
export async function ensureFirewall(a: Of<'firewall.apply'>, env: ApplyEnv): Promise<void> {
  await applyScript(a.script);
  for (const note of a.notes) env.emit({ type: 'note', message: note });
}

// Equivalent to: nft -f - <<< "delete table inet tscompose-P; delete rule ip filter FORWARD handle N …"
export async function removeFirewall(a: Of<'firewall.delete'>, _env: ApplyEnv): Promise<void> {
  try {
    await applyScript(a.script);
  } catch (e) {
    // Someone removed part of it meanwhile (nft flush ruleset): delete what is left, one by one.
    const failures: unknown[] = [];
    for (const line of a.script.split('\n').filter(Boolean)) {
      await applyScript(line + '\n').catch((err: Error) => {
        if (!/No such file or directory|does not exist/i.test(err.message)) failures.push(err);
      });
    }
    if (failures.length) throw e;
  }
}
