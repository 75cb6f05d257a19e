import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { compileModel } from '../generator/compile.js';
import { repoRoot } from './support/cli.js';

const model = compileModel(join(repoRoot, 'examples', 'practica6.json')).model;

test('reference lab: swout1 is the STP root and exactly one port blocks', () => {
  const ext = model.l2domains.find((d) => d.endpoints.some((e) => e.ifname === 'vswout1'));
  assert.ok(ext?.stp);
  assert.equal(ext?.stp?.root.bridge, 'swout1');
  assert.equal(ext?.stp?.blocked.length, 1);
});

test('reference lab: bal1 is the expected VRRP master and the VIP is 172.16.1.254', () => {
  assert.equal(model.vrrp[0]?.expectedMaster, 'bal1');
  assert.equal(model.vrrp[0]?.addresses, ['172.16.1.254']);
});

test('reference lab: inner interfaces fit the VXLAN underlay (MTU 1450)', () => {
  for (const c of model.containers) for (const n of c.nics) if (n.bridge.startsWith('vswin')) assert.is(n.mtu, 1450, `${c.name}/${n.name}`);
  assert.is(model.vxlan[0]?.innerMtu, 1450);
});

test('reference lab: without the tunnel each balancer reaches only its local servers', () => {
  const s = model.services[0];
  assert.equal(s?.balancers.find((b) => b.container === 'bal1')?.reachableWithoutTunnels, ['serv1', 'serv2']);
  assert.equal(s?.balancers.find((b) => b.container === 'bal2')?.reachableWithoutTunnels, ['serv3']);
});

test('MACs are locally administered, unique and stable', () => {
  const macs = [...model.vms.flatMap((v) => [...v.nics.map((n) => n.mac), ...v.bridges.map((b) => b.mac)]), ...model.containers.flatMap((c) => c.nics.map((n) => n.mac))];
  assert.is(new Set(macs).size, macs.length);
  for (const m of macs) assert.ok((parseInt(m.slice(0, 2), 16) & 0x03) === 0x02, m);
  const again = compileModel(join(repoRoot, 'examples', 'practica6.json')).model;
  assert.equal(JSON.stringify(again), JSON.stringify(model));
});

test.run();
