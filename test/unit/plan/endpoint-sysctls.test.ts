import test from 'ava';
import { resolve } from '../../../src/plan';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

test('endpoint sysctls: IFNAME becomes the interface on that network (eth1, or interface_name), beside the service\'s sysctls', (t) => {
  const svc = service('r', {
    sysctls: { 'net.ipv4.ip_forward': '1' },
    networks: [
      attach('a'),
      attach('b', { endpointSysctls: { 'net.ipv4.conf.IFNAME.forwarding': '1' } }),
      attach('c', { interfaceName: 'uplink', endpointSysctls: { 'net.ipv6.conf.IFNAME.accept_ra': '2' } }),
    ],
  });
  const d = resolve(project('e', [svc], [network('a'), network('b'), network('c')]), emptyObserved());
  t.deepEqual(d.containers['e-r-1']!.launch.sysctls, {
    'net.ipv4.ip_forward': '1',
    'net.ipv4.conf.eth1.forwarding': '1',
    'net.ipv6.conf.uplink.accept_ra': '2',
  });
});
