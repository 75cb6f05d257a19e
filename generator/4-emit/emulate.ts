// emulate/: shell scripts that run the whole lab in network namespaces on one Linux host, with the
// lab folder's own network.sh files and daemon configs (docs/lab-folder.md).
import type { LabModel } from '../3-resolve/model.js';
import type { Emitter, OutputFile } from './files.js';
import { emulationData } from './emulate-data.js';
import { modelAtStage } from './stage-model.js';

const scripts = ['up.sh', 'down.sh', 'status.sh', 'daemons.sh'];

/** The port a container's distribution httpd.conf listens on (Alpine's and Debian's alike). */
const HTTPD_DEFAULT_PORT = 80;

/**
 * Ports each web server listens on: every backend port it serves, sorted; a server no service
 * names still listens where its container's httpd does (without a Listen apache does not start).
 */
function webPorts(model: LabModel, web: string): number[] {
  const ports = new Set(model.services.flatMap((s) => s.backends.filter((b) => b.container === web).map((b) => b.port)));
  return ports.size ? [...ports].sort((a, b) => a - b) : [HTTPD_DEFAULT_PORT];
}

export const emitEmulation: Emitter = ({ model, templates, provenance }) => {
  const base = { provenance, lab: model.name };
  const files: OutputFile[] = [
    { path: 'emulate/lab.sh', content: templates.render('emulate/lab.sh.hbs', { ...base, data: emulationData(modelAtStage(model)) }) },
    { path: 'emulate/lib.sh', content: templates.render('emulate/lib.sh.hbs', base) },
    ...scripts.map((s) => ({ path: `emulate/${s}`, content: templates.render(`emulate/${s}.hbs`, base), executable: true })),
  ];
  for (const c of modelAtStage(model).containers.filter((c) => c.role === 'web')) {
    files.push({ path: `emulate/apache/${c.name}.conf`, content: templates.render('emulate/apache.conf.hbs', { ...base, web: c.name, ports: webPorts(model, c.name) }) });
  }
  return files;
};
