// The seam between gen-lab and a Vagrant provider: what each provider module must say about itself.
import type { LabModel, VmModel } from '../3-resolve/model.js';

export type ProviderId = keyof VmModel['providers'];

export interface ProviderModule<Id extends ProviderId = ProviderId> {
  id: Id;
  title: string;
  /** Lab NICs (cables) one VM may have; validation refuses more. */
  maxLabNics: number;
  nicLimitHint: string;
  /** This provider's part of a VM, computed once the rest of the model is resolved. */
  resolveVm(model: LabModel, vm: VmModel): VmModel['providers'][Id];
  /** Template of the provider block inside the VM's `config.vm.define`. */
  vmTemplate: string;
  vmView(model: LabModel, vm: VmModel): object;
  /** Ruby the provider blocks call, written once at the top of the Vagrantfile. */
  helpersTemplate?: string;
}
