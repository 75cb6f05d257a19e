// emulate/: shell scripts that run the whole lab in network namespaces on one Linux host, with the
// lab folder's own network.sh files and daemon configs (docs/lab-folder.md).
import type { LabModel } from '../3-resolve/model.js';
import type { Emitter, OutputFile } from './files.js';
import { emulationData } from './emulate-data.js';

const scripts = ['up.sh', 'down.sh', 'status.sh', 'daemons.sh'];

/** Ports each web server listens on: every backend port it serves, sorted. */
function webPorts(model: LabModel, web: string): number[] {
  const ports = new Set(model.services.flatMap((s) => s.backends.filter((b) => b.container === web).map((b) => b.port)));
  return [...ports].sort((a, b) => a - b);
}

export const emitEmulation: Emitter = ({ model, templates, provenance }) => {
  const base = { provenance, lab: model.name };
  const files: OutputFile[] = [
    { path: 'emulate/lab.sh', content: templates.render('emulate/lab.sh.hbs', { ...base, data: emulationData(model) }) },
    { path: 'emulate/lib.sh', content: templates.render('emulate/lib.sh.hbs', base) },
    ...scripts.map((s) => ({ path: `emulate/${s}`, content: templates.render(`emulate/${s}.hbs`, base), executable: true })),
  ];
  for (const c of model.containers.filter((c) => c.role === 'web')) {
    files.push({ path: `emulate/apache/${c.name}.conf`, content: templates.render('emulate/apache.conf.hbs', { ...base, web: c.name, ports: webPorts(model, c.name) }) });
  }
  return files;
};

/** For the lab README: what the emulation runs and which generated lines it does not execute. */
export function emulationNotes(model: LabModel): string {
  const hosts = model.vms.filter((v) => v.containers.length > 0).map((v) => v.name);
  const lines = [
    '## Emulation',
    '',
    `\`sudo emulate/up.sh\` runs the whole lab on one Linux host: every VM and container is a network namespace \`${model.name}-<node>\`, every cable a veth pair carrying the Vagrantfile's MACs. Inside them run the very files the VMs run: \`vms/<vm>/network.sh\` (then \`network.sh ports\` once the container veths are attached, as LXD attaches them), \`containers/<c>/network.sh\`, and keepalived, haproxy and Apache with mod_php from \`containers/<c>/\`. \`emulate/status.sh\` shows the STP tree, the VRRP master and haproxy's servers; \`emulate/down.sh\` removes everything. Needs root and the Debian packages iproute2, iputils-ping, curl, keepalived, haproxy, apache2, libapache2-mod-php.`,
    '',
    'The checkpoints (`emulate/checks/cp1-stp.sh` ... `cp4-vxlan.sh`, `all.sh`) and the fault matrix (`emulate/checks/faults.sh`) run in the emulation by default and in the booted Vagrant lab with `RUNNER=vagrant` (from this folder, through `vagrant ssh` and `lxc exec`).',
    '',
    'Not executed by the emulation (it replaces them):',
    '',
    '- `Vagrantfile`: machines, internal networks, NAT, promiscuous mode (namespaces and veth pairs stand in).',
    '- `vms/<vm>/user-data.yaml`: cloud-init packages, users and the systemd unit that runs `network.sh` at boot (up.sh runs `network.sh` itself; the host\'s installed packages stand in).',
    ...(hosts.length
      ? [
          `- \`vms/<host>/lxd-preseed.yaml\`, \`vms/<host>/containers.sh\` (${hosts.join(', ')}): LXD storage, images, package installs, file pushes and service starts (up.sh creates the container NICs from the profiles\' names, MACs, host-side names and MTUs, and starts the daemons directly).`,
          '- `containers/<c>/profile.yaml`: read as data only (the same NICs are built with `ip link`).',
          '- Apache: Alpine\'s `httpd.conf` is replaced by a small Debian adapter (`emulate/apache/<c>.conf`) that Includes the same `apache-gen-lab.conf`; the page is served from a copy of `index.php` under `/run/gen-lab/`.',
        ]
      : []),
  ];
  return lines.join('\n') + '\n';
}
