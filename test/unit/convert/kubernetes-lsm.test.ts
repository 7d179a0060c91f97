import test from 'ava';
import { lsmContext } from '../../../src/convert/kubernetes/security-labels';

test('apparmor= and label= become appArmorProfile and seLinuxOptions; what has no field is a gap', (t) => {
  t.deepEqual(lsmContext({ apparmor: 'shop-api', securityLabel: ['type:container_t', 'level:s0:c7,c9', 'filetype:container_file_t'] }), {
    fields: { appArmorProfile: { type: 'Localhost', localhostProfile: 'shop-api' }, seLinuxOptions: { type: 'container_t', level: 's0:c7,c9' } },
    gaps: ['label=filetype:container_file_t has no securityContext field'],
  });
  t.deepEqual(lsmContext({ apparmor: 'unconfined', securityLabel: ['disable', 'nested'] }), {
    fields: { appArmorProfile: { type: 'Unconfined' }, seLinuxOptions: { type: 'spc_t' } },
    gaps: ['label=nested has no securityContext field'],
  });
  t.deepEqual(lsmContext({}), { fields: {}, gaps: [] });
});
