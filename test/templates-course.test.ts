// The English course (examples/courses/english): its template folder overrides the web page and the
// haproxy config, and the overridden files still pass the real tools, and really serve.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const course = join(repoRoot, 'examples', 'courses', 'english');
const spec = join(course, 'lab.json');
const overrides = join(course, 'templates');
const work = makeTemp('course');
const out = join(work, 'english-course');

function tool(cmd: string, args: string[], pkg: string, opts: { env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...(opts.env ? { env: opts.env } : {}) });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') assert.unreachable(`${cmd} is missing: install the Debian package ${pkg} (scripts/install-deps.sh)`);
  return r;
}

const generated = runCli([spec, '-o', out, '--templates', overrides]);
const balancers = compileFiles(spec).model.containers.filter((c) => c.role === 'balancer').map((c) => c.name);
const servers = compileFiles(spec).model.containers.filter((c) => c.role === 'web').map((c) => c.name);

test('the course lab generates with its overrides', () => {
  assert.is(generated.status, 0, generated.stderr);
  assert.ok(balancers.length > 0 && servers.length > 0);
  const list = runCli(['templates', '--templates', overrides]).stdout;
  assert.match(list, new RegExp(`web/index\\.php\\.hbs\\t${overrides}`));
  assert.match(list, new RegExp(`services/haproxy\\.cfg\\.hbs\\t${overrides}`));
});

test('index.php is the English course page and passes php -l; rendered, it names server and balancer', () => {
  for (const s of servers) {
    const page = join(out, 'containers', s, 'index.php');
    const text = readFileSync(page, 'utf8');
    assert.match(text, /Hello from web server/);
    assert.match(text, /lang="en"/);
    const lint = tool('php', ['-l', page], 'php-cli');
    assert.is(lint.status, 0, lint.stdout + lint.stderr);
    const run = tool('php', [page], 'php-cli', { env: { ...process.env, REMOTE_ADDR: '10.0.0.250' } });
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`<p class="gen-lab-probe">server=${s} client=10\\.0\\.0\\.250</p>`));
    assert.match(run.stdout, new RegExp(`This is server ${s}`));
  }
});

test('haproxy.cfg carries the stats page and passes haproxy -c -dW', () => {
  for (const b of balancers) {
    const cfg = join(out, 'containers', b, 'haproxy.cfg');
    const text = readFileSync(cfg, 'utf8');
    assert.match(text, /^listen stats$/m);
    assert.match(text, /^\s+stats enable$/m);
    assert.match(text, /^\s+stats uri \/stats$/m);
    const r = tool('haproxy', ['-c', '-dW', '-f', cfg], 'haproxy');
    assert.is(r.status, 0, r.stdout + r.stderr);
  }
});

test('the stats page really answers, in a private network namespace on its loopback', () => {
  const cfg = join(out, 'containers', balancers[0] as string, 'haproxy.cfg');
  // unshare -n: a namespace of our own that dies with the shell; only its loopback is used.
  const script = [
    'set -e',
    'ip link set lo up',
    `haproxy -db -f '${cfg}' & pid=$!`,
    'trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null || true" EXIT',
    'curl -sS --retry 50 --retry-connrefused --retry-delay 1 http://127.0.0.1:8404/stats',
  ].join('\n');
  const r = tool('unshare', ['-n', 'sh', '-c', script], 'util-linux');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /Statistics Report/);
  for (const s of servers) assert.ok(r.stdout.includes(s), `stats page lists server ${s}`);
});

test.after(() => removeTemp(work));
test('a course\'s override of a guide partial renders as the built-in does (no HTML escaping)', () => {
  const layer = join(work, 'partial-override');
  mkdirSync(join(layer, 'partials', 'guide', 'es'), { recursive: true });
  writeFileSync(join(layer, 'partials', 'guide', 'es', 'boot.hbs'), '## Arranque del curso\n\nPrimera VM: {{code firstVm}} & <b>{{name}}</b>\n');
  const lab = join(work, 'partial-override-lab');
  const r = runCli([join(repoRoot, 'examples', 'practica6.json'), '-o', lab, '--templates', layer]);
  assert.is(r.status, 0, r.stderr);
  const readme = readFileSync(join(lab, 'README.md'), 'utf8');
  assert.match(readme, /^Primera VM: `host1` & <b>practica6<\/b>$/m);
});

test.run();
