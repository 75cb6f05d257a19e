// libvirt (vagrant-libvirt), the provider gen-lab proves its Vagrant path with on every commit:
// everything gen-lab knows about it lives here and in templates/providers/libvirt/. A cable is a
// point-to-point UDP tunnel between two qemu processes on loopback; adapter 0 is the management
// network; qemu delivers every frame, so no promiscuous setting exists; the VM's cloud-init seed
// (vms/<vm>/cidata.iso) is a CD-ROM.
import type { LabModel, LibvirtVmModel, VmModel } from '../3-resolve/model.js';
import { byName } from '../lib/by-name.js';
import { plainMac } from '../lib/mac.js';
import type { ProviderModule } from './provider.js';

/** First UDP port of the cable tunnels on 127.0.0.1, two per cable (one per end). */
export const LIBVIRT_TUNNEL_BASE_PORT = 20000;
/** Lab NICs per VM: the i440fx machine has 32 PCI slots; the host bridge, ISA/IDE/USB, video,
 * disk, balloon and management NIC take six of them; gen-lab keeps two spare. */
export const LIBVIRT_MAX_LAB_NICS = 24;

/** Every cable end gets its own port: ends sorted by cable, then by VM name and NIC order. */
function tunnelPorts(model: LabModel): Map<string, number> {
  const ends = model.vms.flatMap((vm) => vm.nics.map((n) => ({ cable: n.cable, vm: vm.name, index: n.index })));
  ends.sort((a, b) => (a.cable < b.cable ? -1 : a.cable > b.cable ? 1 : a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : a.index - b.index));
  return new Map(ends.map((e, i) => [`${e.vm}\u0000${e.index}`, LIBVIRT_TUNNEL_BASE_PORT + i]));
}

const portCache = new WeakMap<LabModel, Map<string, number>>();

function resolveVm(model: LabModel, vm: VmModel): LibvirtVmModel {
  let ports = portCache.get(model);
  if (!ports) portCache.set(model, (ports = tunnelPorts(model)));
  const portOf = (vmName: string, index: number) => ports.get(`${vmName}\u0000${index}`) as number;
  return {
    nics: vm.nics.map((n) => {
      // The peer end: the other end of the same cable (a VM may hold both ends of a cable).
      const peerVm = byName(model.vms, n.peer.vm) as VmModel;
      const peer = peerVm.nics.find((p) => p.cable === n.cable && !(peerVm.name === vm.name && p.index === n.index)) as VmModel['nics'][number];
      return { adapter: 1 + n.index, macPlain: plainMac(n.mac), localPort: portOf(vm.name, n.index), peerPort: portOf(peerVm.name, peer.index) };
    }),
  };
}

export const libvirt: ProviderModule<'libvirt'> = {
  id: 'libvirt',
  title: 'libvirt',
  maxLabNics: LIBVIRT_MAX_LAB_NICS,
  nicLimitHint: `vagrant-libvirt puts every NIC on the PCI bus; gen-lab allows ${LIBVIRT_MAX_LAB_NICS} lab NICs per VM`,
  resolveVm,
  vmTemplate: 'providers/libvirt/vm.rb.hbs',
  vmView: (_model, vm) => ({ nics: vm.providers.libvirt.nics }),
};
