// Names reach shell scripts, Ruby, YAML and config files unescaped in places; the schema is the
// gate. Every name field (and box/image) must refuse quotes, $(), backticks, newlines, #{},
// spaces and a 16-byte name. Free text is allowed and escaped by the emitters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSpec } from '../generator/2-validate/validate.js';
import { repoRoot } from './support/cli.js';

const reference = () => JSON.parse(readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8')) as Record<string, unknown>;

const HOSTILE = ['a"b', "a'b", '$(reboot)', 'a`id`', 'a\nb', 'a#{x}', 'a b', 'abcdefghijklmnop'];

/** Every place a name is written or referenced in the reference lab (JSON pointers). */
const NAME_FIELDS = [
  '/name',
  '/subnets/0/name',
  '/vms/0/name', '/vms/0/bridges/0/name', '/vms/0/bridges/0/subnet',
  '/cables/0/name', '/cables/0/ends/0/vm', '/cables/0/ends/0/bridge', '/cables/0/ends/1/subnet',
  '/containers/0/name', '/containers/0/vm', '/containers/0/nics/0/name', '/containers/0/nics/0/bridge', '/containers/0/nics/0/subnet',
  '/vrrp/0/name', '/vrrp/0/members/0/container', '/vrrp/0/members/0/nic',
  '/services/0/name', '/services/0/balancers/0', '/services/0/backends/0/container', '/services/0/backends/0/expectUnreachableFrom/0',
  '/vxlan/0/name', '/vxlan/0/underlay', '/vxlan/0/members/0/vm', '/vxlan/0/members/0/bridge',
];
const IMAGE_FIELDS = ['/defaults/box', '/vms/0/box', '/defaults/image', '/containers/0/image'];
const FREE_TEXT = ['/title', '/description', '/subnets/0/description', '/vms/0/description', '/vms/0/bridges/0/description', '/cables/0/description', '/containers/0/description', '/containers/2/page/heading', '/services/0/description', '/vxlan/0/description'];

function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1);
  let cur = root as Record<string, unknown>;
  keys.slice(0, -1).forEach((k, n) => {
    if (cur[k] === undefined) cur[k] = /^[0-9]+$/.test(keys[n + 1] as string) ? [] : {};
    cur = cur[k] as Record<string, unknown>;
  });
  cur[keys[keys.length - 1] as string] = value;
}

for (const field of [...NAME_FIELDS, ...IMAGE_FIELDS]) {
  test(`schema refuses hostile strings in ${field}`, () => {
    for (const bad of HOSTILE) {
      const spec = reference();
      setAt(spec, field, bad);
      const { spec: ok, diagnostics } = validateSpec(spec);
      assert.is(ok, undefined, `${JSON.stringify(bad)} accepted in ${field}`);
      const here = diagnostics.filter((d) => d.pointer === field);
      const tooLong = bad === 'abcdefghijklmnop' && NAME_FIELDS.includes(field);
      const want = tooLong ? 'too-long' : 'bad-format';
      assert.ok(here.some((d) => d.code === want && d.severity === 'error'), `${JSON.stringify(bad)} in ${field}: got ${JSON.stringify(diagnostics.map((d) => `${d.code} ${d.pointer}`))}`);
      const d = here.find((x) => x.code === want);
      assert.ok(d?.hint, 'the refusal carries a hint');
      if (want === 'too-long') assert.match(d?.message ?? '', 'longer than 15');
      if (want === 'bad-format' && NAME_FIELDS.includes(field)) assert.match(d?.hint ?? '', 'lower-case letters, digits and single dashes');
    }
  });
}

test('a 15-byte name is still fine', () => {
  const spec = reference();
  setAt(spec, '/services/0/name', 'abcdefghijklmno');
  assert.is(validateSpec(spec).diagnostics.length, 0);
});

test('hostile free text is accepted (the emitters escape it)', () => {
  const spec = reference();
  const text = 'It\'s "quoted" $(reboot) `id` #{x} <b>&amp;</b> <?php echo 1; ?> \\ %s\nsecond line; rm -rf / # end';
  for (const field of FREE_TEXT) setAt(spec, field, text);
  const { spec: ok, diagnostics } = validateSpec(spec);
  assert.equal(diagnostics, []);
  assert.ok(ok);
});

test.run();
