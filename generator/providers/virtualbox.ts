// VirtualBox, the provider students use: everything gen-lab knows about it lives here and in
// templates/providers/virtualbox/. A cable is an internal network; adapter 1 is Vagrant's NAT;
// bridge ports need promiscuous mode; the VM's cloud-init seed (vms/<vm>/cidata.iso) is a DVD.
import type { LabModel, VirtualboxVmModel, VmModel } from '../3-resolve/model.js';
import { plainMac } from '../lib/mac.js';
import type { ProviderModule } from './provider.js';

/** NICs per VM including the NAT adapter: 8 with the default PIIX3 chipset, 36 with ICH9 (FACTS). */
export const VIRTUALBOX_PIIX3_MAX_NICS = 8;
export const VIRTUALBOX_ICH9_MAX_NICS = 36;
/** Adapter 1 is Vagrant's NAT. */
const FIRST_LAB_ADAPTER = 2;

function resolveVm(model: LabModel, vm: VmModel): VirtualboxVmModel {
  const adapters = vm.nics.length + 1;
  return {
    chipset: adapters > VIRTUALBOX_PIIX3_MAX_NICS ? 'ich9' : 'piix3',
    nics: vm.nics.map((n) => ({ adapter: FIRST_LAB_ADAPTER + n.index, intnet: `${model.name}-${n.cable}`, macPlain: plainMac(n.mac), promiscuous: n.promiscuous })),
  };
}

export const virtualbox: ProviderModule<'virtualbox'> = {
  id: 'virtualbox',
  title: 'VirtualBox',
  maxLabNics: VIRTUALBOX_ICH9_MAX_NICS - 1,
  nicLimitHint: `VirtualBox allows ${VIRTUALBOX_ICH9_MAX_NICS} adapters with the ICH9 chipset, one of them Vagrant's NAT`,
  resolveVm,
  vmTemplate: 'providers/virtualbox/vm.rb.hbs',
  vmView: (_model, vm) => {
    const vb = vm.providers.virtualbox;
    return {
      nics: vb.nics,
      promiscuous: vb.nics.filter((n) => n.promiscuous).map((n) => n.adapter),
      ich9: vb.chipset === 'ich9',
    };
  },
};
