// vms/<vm>/user-data.yaml: cloud-config that installs the VM's part of the lab folder under
// /opt/gen-lab (same relative paths), a systemd unit that runs network.sh at every boot and, on
// hosts, LXD and the container build. Built as an object and dumped, so quoting is always right.
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { commentLines } from './escape.js';
import type { EmitContext, OutputFile } from './files.js';
import { GUEST_LAB_DIR } from './lxd.js';
import { filesUnder } from './sibling-files.js';
import { dumpYaml } from './yaml-dump.js';

export const USER_DATA_NAME = 'user-data.yaml';
/** Written by the last runcmd step; the Vagrantfile's fallback reads it to know cloud-init ran. */
export const PROVISIONED_MARK_FILE = '/var/lib/gen-lab/provisioned';
const VM_PACKAGES = ['curl', 'iproute2', 'tcpdump'];

export function provisionedMark(model: LabModel, vm: VmModel): string {
  return `${vm.name} ${model.specHash}`;
}

interface WriteFile {
  path: string;
  content: string;
  owner: string;
  permissions: string;
}

function writeFile(path: string, content: string, executable: boolean): WriteFile {
  return { path, content, owner: 'root:root', permissions: executable ? '0755' : '0644' };
}

function userData(ctx: EmitContext, vm: VmModel, labFiles: OutputFile[]): object {
  const { model, templates, provenance } = ctx;
  const guest = (p: string) => `${GUEST_LAB_DIR}/${p}`;
  const isHost = vm.containers.length > 0 || vm.role === 'host';
  const networkScript = guest(`vms/${vm.name}/network.sh`);
  const containersScript = guest(`vms/${vm.name}/containers.sh`);
  const embedded = [
    ...filesUnder(labFiles, `vms/${vm.name}/`).filter((f) => f.path !== `vms/${vm.name}/${USER_DATA_NAME}`),
    ...vm.containers.flatMap((c) => filesUnder(labFiles, `containers/${c}/`)),
  ];
  const view = { provenance, vm: vm.name, networkScript, containersScript, host: isHost, nat: vm.nat, mark: provisionedMark(model, vm) };
  const units = [writeFile('/etc/systemd/system/gen-lab-network.service', templates.render('cloud-init/gen-lab-network.service.hbs', view), false)];
  if (isHost) units.push(writeFile('/etc/systemd/system/gen-lab-containers.service', templates.render('cloud-init/gen-lab-containers.service.hbs', view), false));
  return {
    package_update: true,
    packages: VM_PACKAGES,
    ...(isHost ? { snap: { commands: [['snap', 'install', 'lxd']] } } : {}),
    write_files: [...embedded.map((f) => writeFile(guest(f.path), f.content, f.executable === true || f.path.endsWith('.sh'))), ...units],
    runcmd: [['sh', '-c', templates.render('cloud-init/runcmd.sh.hbs', view)]],
  };
}

/** A bundler: each VM's user-data embeds that VM's files and its containers' files emitted before it. */
export function emitCloudInit(ctx: EmitContext, earlier: OutputFile[]): OutputFile[] {
  const labFiles = earlier;
  const header = `#cloud-config\n${commentLines(ctx.provenance, '#')}\n`;
  return ctx.model.vms.map((vm) => ({
    path: `vms/${vm.name}/${USER_DATA_NAME}`,
    content: header + dumpYaml(userData(ctx, vm, labFiles)),
  }));
}
