// vms/<vm>/user-data.yaml: cloud-config that installs the VM's part of the lab folder under
// /opt/gen-lab (same relative paths), a systemd unit that runs network.sh at every boot and, on
// hosts, LXD and the container build. Built as an object and dumped, so quoting is always right.
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { commentLines } from './escape.js';
import type { EmitContext, OutputFile } from './files.js';
import { containersScriptPath, GUEST_LAB_DIR } from './lxd.js';
import { BOX_FAMILIES, isGenLabBox } from '../families/boxes.js';
import { filesUnder } from './sibling-files.js';
import { dumpYaml } from './yaml-dump.js';

export const USER_DATA_NAME = 'user-data.yaml';
/** Written by the last runcmd step; the Vagrantfile's fallback reads it to know cloud-init ran. */
export const PROVISIONED_MARK_FILE = '/var/lib/gen-lab/provisioned';
/** Written by cloud-init's write_files: the box did read this lab's user-data (whatever came next). */
export const SEEN_MARK_FILE = '/var/lib/gen-lab/user-data';

export function provisionedMark(model: LabModel, vm: VmModel): string {
  return `${vm.name} ${model.specHash}`;
}

interface WriteFile {
  path: string;
  encoding?: 'b64';
  content: string;
  owner: string;
  permissions: string;
}

const NON_ASCII = /[^\x00-\x7f]/;

// Vagrant wraps the user-data in a MIME part without a charset, so cloud-init reads it as US-ASCII
// and any other byte ruins the whole document ("unacceptable character", seen on a real boot): a file
// with non-ASCII text (a Spanish page) travels base64-encoded, and the document stays ASCII.
function writeFile(path: string, content: string, executable: boolean): WriteFile {
  const mode = { owner: 'root:root', permissions: executable ? '0755' : '0644' };
  return NON_ASCII.test(content) ? { path, encoding: 'b64', content: Buffer.from(content, 'utf8').toString('base64'), ...mode } : { path, content, ...mode };
}

function userData(ctx: EmitContext, vm: VmModel, labFiles: OutputFile[]): object {
  const { model, templates, provenance } = ctx;
  const guest = (p: string) => `${GUEST_LAB_DIR}/${p}`;
  const isHost = vm.containers.length > 0 || vm.role === 'host';
  const family = BOX_FAMILIES[vm.boxFamily];
  const networkScript = guest(`vms/${vm.name}/network.sh`);
  const containersScript = containersScriptPath(vm.name);
  const embedded = [
    ...filesUnder(labFiles, `vms/${vm.name}/`).filter((f) => f.path !== `vms/${vm.name}/${USER_DATA_NAME}`),
    ...vm.containers.flatMap((c) => filesUnder(labFiles, `containers/${c}/`)),
  ];
  const view = { provenance, vm: vm.name, networkScript, containersScript, host: isHost, nat: vm.nat, mark: provisionedMark(model, vm), lxdUnits: family.lxdUnits.join(' ') };
  const lxdPackages = isHost && family.lxd.source === 'apt' ? family.lxd.packages : [];
  // gen-lab's own box carries its family's packages and LXD: nothing to install, so a classroom
  // boots it with no package mirror (cloud-init updates the package lists before any install).
  const install = isGenLabBox(vm.box) ? {} : { package_update: true, packages: [...family.packages, ...lxdPackages] };
  const units = [writeFile(SEEN_MARK_FILE, `${provisionedMark(model, vm)}\n`, false), writeFile('/etc/systemd/system/gen-lab-network.service', templates.render('cloud-init/gen-lab-network.service.hbs', view), false)];
  if (isHost) units.push(writeFile('/etc/systemd/system/gen-lab-containers.service', templates.render('cloud-init/gen-lab-containers.service.hbs', view), false));
  return {
    // The hostname and a resolvable /etc/hosts entry, so Vagrant finds the name set and does not
    // restart the guest's interfaces to set it (its Debian capability does, when `hostname -f` differs).
    hostname: vm.name,
    manage_etc_hosts: true,
    ...(model.aptProxy ? { apt: { proxy: model.aptProxy } } : {}),
    ...install,
    ...(isHost && family.lxd.source === 'snap' ? { snap: { commands: [['snap', 'install', family.lxd.snap]] } } : {}),
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
