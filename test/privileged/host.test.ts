import test from 'ava';
import { withHost } from '../helpers/host';

test('a throwaway host has its own network namespace and private /run/netns', async (t) => {
  await withHost(t, async (host) => {
    const links = await host.ipJson(['link', 'show']);
    t.deepEqual(links.map((l: any) => l.ifname), ['lo']);
    const r = await host.sh('ls -A /run/netns /run/tscompose; echo $$');
    t.is(r.code, 0);
    t.is(r.stdout.trim().split('\n').filter(Boolean).length >= 1, true);
  });
});
