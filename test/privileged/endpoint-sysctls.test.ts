/**
 * `com.docker.network.endpoint.sysctls` on an attachment: the setting lands
 * on that interface inside the container's namespace (IFNAME substituted),
 * and not on its other interfaces. Asserted by reading /proc/sys there.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';

const STACK = `
name: es
services:
  r:
    command: ["sleep", "infinity"]
    networks:
      a: {}
      b:
        driver_opts:
          com.docker.network.endpoint.sysctls: "net.ipv4.conf.IFNAME.forwarding=1,net.ipv4.conf.IFNAME.log_martians=1"
networks:
  a: {}
  b: {}
`;

test('endpoint sysctls are set on the attachment\'s own interface (eth1), not on eth0', async (t) => {
  await withHost(t, async (host) => {
    const dir = path.join(host.dir, 'project');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'compose.yaml'), STACK);
    const up = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(up.code, 0, up.stderr + up.stdout);
    const read = async (ifname: string, key: string) =>
      (await host.run(['ip', 'netns', 'exec', 'tsc.es.r.1', 'cat', `/proc/sys/net/ipv4/conf/${ifname}/${key}`])).stdout.trim();
    t.is(await read('eth1', 'forwarding'), '1');
    t.is(await read('eth1', 'log_martians'), '1');
    t.is(await read('eth0', 'forwarding'), '0');
    t.is(await read('eth0', 'log_martians'), '0');
  });
});
