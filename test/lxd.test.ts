// LXD's own daemon judges the generated LXD files: each host's preseed is applied, each profile is
// loaded and read back unchanged, every container is created from its profiles, and one container
// per host really starts from a local busybox image with its NICs on the bridges the profile names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { LXD_INSTALL_NETWORK, LXD_INSTALL_NIC, LXD_INSTALL_PROFILE, lxdProfileName } from '../generator/4-emit/lxd.js';
import { ALPINE_IMAGE, compileExamplesWithImage } from './support/examples.js';
import { buildAlpineStandInImage, buildBusyboxImage, LxdDaemon, missingTools, type Run } from './support/lxd.js';

// The Alpine family's adapter, judged with a busybox stand-in for the Alpine image (no image server
// is reachable); the Debian family's boots for real in the boot suite.
const { labs, broken } = compileExamplesWithImage(ALPINE_IMAGE);

const ok = (r: Run, what: string) => assert.is(r.status, 0, `${what}: rc ${r.status}\n${r.stdout}\n${r.stderr}`);
const fileOf = (files: { path: string; content: string }[], path: string) => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `${path} was not generated`);
  return (f as { content: string }).content;
};

test('the LXD judge has its tools (scripts/install-deps.sh installs them)', () => {
  assert.equal(missingTools(), [], `missing: ${missingTools().join(', ')}`);
});

test('every example spec compiles (one that does not would go unjudged)', () => {
  assert.equal(broken, []);
  assert.ok(labs.length > 0, 'no example specs');
});

for (const lab of labs) {
  for (const vm of lab.model.vms.filter((v) => v.containers.length > 0)) {
    test(`${lab.spec}: ${vm.name}'s preseed, profiles and containers pass a real LXD daemon`, () => {
      assert.equal(missingTools(), [], `missing: ${missingTools().join(', ')}`);
      const work = mkdtempSync(join(tmpdir(), 'gen-lab-lxd-test-'));
      const daemon = LxdDaemon.start(vm.name);
      try {
        const containers = lab.model.containers.filter((c) => c.vm === vm.name);
        // The lab bridges exist before LXD needs them, as network.sh makes them in the VM.
        for (const br of [...new Set(containers.flatMap((c) => c.nics.map((n) => n.bridge)))].sort()) daemon.addBridge(br);

        ok(daemon.run('lxd', ['init', '--preseed'], fileOf(lab.files, `vms/${vm.name}/lxd-preseed.yaml`)), 'lxd init --preseed');

        for (const c of containers) {
          const profile = lxdProfileName(c.name);
          const text = fileOf(lab.files, `containers/${c.name}/profile.yaml`);
          ok(daemon.lxc('profile', 'create', profile), `profile create ${profile}`);
          ok(daemon.run('lxc', ['profile', 'edit', profile], text), `profile edit ${profile}`);
          // LXD drops unknown keys silently: only a read-back proves every key was taken.
          const shown = yaml.load(daemon.lxc('profile', 'show', profile).stdout) as Record<string, unknown>;
          const given = yaml.load(text) as Record<string, unknown>;
          assert.equal({ config: shown.config, description: shown.description, devices: shown.devices }, given, `${profile} read back`);
          ok(daemon.lxc('init', c.name, '--empty', '-p', 'default', '-p', profile, '-p', LXD_INSTALL_PROFILE), `lxc init ${c.name} --empty`);
        }

        // One container really starts, with the profiles containers.sh gives it.
        const probe = containers[0];
        assert.ok(probe);
        if (!probe) return;
        ok(daemon.lxc('image', 'import', buildBusyboxImage(work), '--alias', 'gen-lab-busybox'), 'lxc image import');
        ok(daemon.lxc('delete', probe.name), `delete empty ${probe.name}`);
        ok(daemon.lxc('init', 'gen-lab-busybox', probe.name, '-p', 'default', '-p', lxdProfileName(probe.name), '-p', LXD_INSTALL_PROFILE), `lxc init ${probe.name}`);
        ok(daemon.lxc('start', probe.name), `lxc start ${probe.name}`);

        const ports = daemon.bridgePorts();
        for (const nic of probe.nics) assert.ok(ports.get(nic.bridge)?.includes(nic.hostName), `${nic.hostName} on ${nic.bridge}: ${JSON.stringify([...ports])}`);
        assert.is(ports.get(LXD_INSTALL_NETWORK)?.length, 1, 'install NIC on the install bridge');

        const inside = daemon.lxc('exec', probe.name, '--', 'ip', '-o', 'link');
        ok(inside, 'ip link inside the container');
        for (const nic of probe.nics) {
          const line = inside.stdout.split('\n').find((l) => l.includes(` ${nic.name}@`) || l.includes(` ${nic.name}:`));
          assert.ok(line, `${nic.name} inside ${probe.name}:\n${inside.stdout}`);
          assert.ok(line?.includes(`link/ether ${nic.mac}`), `${nic.name} MAC ${nic.mac}: ${line}`);
          assert.ok(line?.includes(`mtu ${nic.mtu} `), `${nic.name} MTU ${nic.mtu}: ${line}`);
        }
        assert.ok(inside.stdout.includes(` ${LXD_INSTALL_NIC}`), 'install NIC inside');

        // containers.sh drops the install NIC from a running container: LXD must hot-unplug it.
        ok(daemon.lxc('profile', 'remove', probe.name, LXD_INSTALL_PROFILE), 'profile remove install');
        assert.is(daemon.bridgePorts().get(LXD_INSTALL_NETWORK)?.length ?? 0, 0, 'install NIC gone from the install bridge');
        assert.not.ok(daemon.lxc('exec', probe.name, '--', 'ip', '-o', 'link').stdout.includes(LXD_INSTALL_NIC), 'install NIC gone inside');
        ok(daemon.lxc('stop', '--force', probe.name), 'stop');
      } finally {
        daemon.stop();
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
}

for (const lab of labs) {
  for (const vm of lab.model.vms.filter((v) => v.containers.length > 0)) {
    test(`${lab.spec}: ${vm.name}'s containers.sh builds its containers against a real LXD, and again is a no-op`, () => {
      assert.equal(missingTools(), [], `missing: ${missingTools().join(', ')}`);
      const work = mkdtempSync(join(tmpdir(), 'gen-lab-lxd-adapter-'));
      const labDir = join(work, 'lab');
      for (const f of lab.files) {
        mkdirSync(dirname(join(labDir, f.path)), { recursive: true });
        writeFileSync(join(labDir, f.path), f.bytes ?? f.content, { mode: f.executable ? 0o755 : 0o644 });
      }
      const daemon = LxdDaemon.start(`a-${vm.name}`);
      try {
        const containers = lab.model.containers.filter((c) => c.vm === vm.name);
        for (const br of [...new Set(containers.flatMap((c) => c.nics.map((n) => n.bridge)))].sort()) daemon.addBridge(br);
        ok(daemon.lxc('image', 'import', buildAlpineStandInImage(work), '--alias', 'alpine-stand-in'), 'import stand-in');
        const adapter = () => {
          const r = spawnSync('ip', ['netns', 'exec', daemon.netns, 'sh', join(labDir, 'vms', vm.name, 'containers.sh'), 'setup'], {
            env: { ...process.env, LXD_DIR: daemon.dir, GEN_LAB_DIR: labDir, GEN_LAB_IMAGE: 'alpine-stand-in', http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' },
            encoding: 'utf8',
            timeout: 300_000,
          });
          return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
        };
        const first = adapter();
        ok(first, 'containers.sh setup');
        const ports = daemon.bridgePorts();
        assert.is(ports.get(LXD_INSTALL_NETWORK)?.length ?? 0, 0, 'no container left on the install network');
        for (const c of containers) {
          assert.match(daemon.lxc('info', c.name).stdout, /Status: RUNNING/, `${c.name} running`);
          for (const nic of c.nics) assert.ok(ports.get(nic.bridge)?.includes(nic.hostName), `${nic.hostName} on ${nic.bridge}`);
          const log = daemon.lxc('exec', c.name, '--', 'cat', '/stand-in.log').stdout;
          const roleNeeds = c.role === 'balancer' ? ['keepalived', 'haproxy'] : c.role === 'web' ? ['apache2', 'php-apache2'] : [];
          for (const p of roleNeeds) assert.ok(new RegExp(`^apk add .*\\b${p}\\b`, 'm').test(log), `${c.name} installs ${p}: ${log}`);
          assert.match(log, /^rc-update add gen-lab-network boot$/m);
          for (const f of lab.files.filter((x) => x.path.startsWith(`containers/${c.name}/`) && !x.path.endsWith('/profile.yaml'))) {
            const name = f.path.split('/').pop() as string;
            const dest = { 'network.sh': '/etc/gen-lab/network.sh', 'keepalived.conf': '/etc/keepalived/keepalived.conf', 'haproxy.cfg': '/etc/haproxy/haproxy.cfg', 'apache-gen-lab.conf': '/etc/apache2/conf.d/gen-lab.conf', 'index.php': '/var/www/localhost/htdocs/index.php' }[name] ?? `/etc/gen-lab/${name}`;
            const pulled = daemon.lxc('file', 'pull', `${c.name}${dest}`, '-');
            assert.is(pulled.stdout, f.content, `${c.name}:${dest} (rc ${pulled.status}: ${pulled.stderr})`);
          }
        }
        // STP costs re-applied by network.sh ports to the container veths.
        const cost = daemon.run('bridge', ['-j', 'link', 'show']);
        for (const p of JSON.parse(cost.stdout) as { ifname: string; cost: number }[]) {
          const port = vm.bridges.flatMap((b) => b.ports).find((x) => x.ifname === p.ifname);
          if (port) assert.is(p.cost, port.cost, `${p.ifname} cost`);
        }
        const second = adapter();
        ok(second, 'containers.sh setup again');
        for (const c of containers) assert.match(second.stderr, new RegExp(`${c.name}: already built from this spec`));
      } finally {
        daemon.stop();
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
}

test.run();
