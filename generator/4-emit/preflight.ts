// The Vagrantfile's preflight: Ruby that runs on the student's laptop before `vagrant up` boots the
// first VM, reads the host (OS, architecture, Vagrant and provider versions, memory, Hyper-V) and
// says in the lab's language, one line per problem, what stops the boot and what only warns.
// The rules live in templates/vagrant/preflight.rb.hbs; this module computes the lab's side.
import type { LabModel } from '../3-resolve/model.js';
import type { EmitContext } from './files.js';
import { templateWords } from './words.js';

/** The sentences the preflight says, by key (templates/partials/vagrant/<language>/preflight-words.hbs). */
export const PREFLIGHT_WORDS = ['labelStop', 'labelWarn', 'and', 'passed', 'skipped', 'summaryStop', 'summaryWarn', 'internalError', 'vagrantTooOld', 'vboxNewer', 'vboxMissing', 'armVbox', 'armVagrant', 'armBoxes', 'rosetta', 'armAdapters', 'memoryTotal', 'memoryAvailable', 'hyperv', 'boxMissing', 'imageMissing', 'armImages', 'unknownFacts', 'factVagrant', 'factArch', 'factMemory', 'factAvailable', 'factVbox', 'factHypervisor', 'factCatalog', 'factBoxes'] as const;

/** The lab folder's own box catalog (a packed lab), relative to the Vagrantfile; it may not exist. */
export const LOCAL_BOX_CATALOG = 'boxes/metadata.json';

/** The lab as the preflight sees it: what every VM needs of the host. */
export function preflightLab(model: LabModel) {
  const boxes = new Map<string, boolean>();
  // A box counts as downloadable only if every VM that uses it says where from (the first to boot may not).
  for (const vm of model.vms) boxes.set(vm.box, (boxes.get(vm.box) ?? true) && vm.boxUrl !== undefined);
  return {
    labName: model.name,
    memoryMb: model.vms.reduce((sum, vm) => sum + vm.memory, 0),
    vmCount: model.vms.length,
    // Adapters VirtualBox gives the VM: Vagrant's NAT (adapter 1) and one per lab NIC.
    vms: model.vms.map((vm) => ({ name: vm.name, memoryMb: vm.memory, adapters: vm.providers.virtualbox.nics.length + 1 })),
    boxes: [...boxes].map(([name, url]) => ({ name, boxUrl: url ? 'true' : 'false' })),
    ich9: model.vms.some((vm) => vm.providers.virtualbox.chipset === 'ich9') ? 'true' : 'false',
    catalog: LOCAL_BOX_CATALOG,
    images: [...new Set(model.containers.filter((c) => c.localImage).map((c) => c.image))].sort(),
  };
}

/** The preflight's Ruby: GEN_LAB_PREFLIGHT_WORDS, GEN_LAB_PREFLIGHT_LAB and the gen_lab_* methods. */
export function preflightRuby(ctx: EmitContext): string {
  const words = templateWords(ctx.templates, `partials/vagrant/${ctx.model.language}/preflight-words.hbs`, PREFLIGHT_WORDS, 'preflight words');
  return ctx.templates.render('vagrant/preflight.rb.hbs', {
    ...preflightLab(ctx.model),
    words: PREFLIGHT_WORDS.map((key) => ({ key, text: words[key] })),
  });
}
