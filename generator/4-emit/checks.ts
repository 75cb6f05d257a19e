// emulate/checks/: the handout's four checkpoints and the fault matrix, runnable in the emulation
// (runner-emulation.sh) and in the booted Vagrant lab (runner-vagrant.sh) through one `on NODE CMD`.
import type { Emitter, OutputFile } from './files.js';
import { checksData } from './checks-data.js';
import { checkWords } from './checks-words.js';

const sourced = ['runner-emulation.sh', 'runner-vagrant.sh', 'state.sh', 'discover.sh', 'lib.sh'];
/** The handout's checkpoints in order: checkpoint N judges stage N (index 0: stage 1), under emulate/checks/. */
export const CHECKPOINTS = ['cp1-stp.sh', 'cp2-vrrp.sh', 'cp3-service.sh', 'cp4-vxlan.sh'] as const;
export const checkpointPath = (file: string) => `emulate/checks/${file}`;
const runnable = [...CHECKPOINTS, 'all.sh', 'faults.sh'];

export const emitChecks: Emitter = ({ model, templates, provenance }) => {
  const base = { provenance, lab: model.name };
  const files: OutputFile[] = [
    { path: 'emulate/checks/expect.sh', content: templates.render('checks/expect.sh.hbs', { ...base, data: checksData(model) }) },
    { path: 'emulate/checks/words.sh', content: templates.render('checks/words.sh.hbs', { ...base, data: checkWords(model, templates) }) },
    ...sourced.map((f) => ({ path: `emulate/checks/${f}`, content: templates.render(`checks/${f}.hbs`, base) })),
    ...runnable.map((f) => ({ path: checkpointPath(f), content: templates.render(`checks/${f}.hbs`, base), executable: true })),
  ];
  return files;
};
