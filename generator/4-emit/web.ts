// containers/<web>/index.php and apache-gen-lab.conf: the page each web server shows, and the Apache
// settings both worlds (Alpine httpd in the VM, Debian apache2 in the emulation) share.
import { containerFilePath, daemonConfigFile } from '../families/images.js';
import type { ContainerModel, LabModel } from '../3-resolve/model.js';
import type { EmitContext, OutputFile } from './files.js';

const WORDS = {
  es: { server: 'Servidor', via: 'Petición recibida desde', viaNote: 'la dirección del balanceador que la reenvió' },
  en: { server: 'Server', via: 'Request received from', viaNote: 'the address of the balancer that forwarded it' },
} as const;

export function webView(model: LabModel, container: ContainerModel, provenance: string): object {
  return {
    provenance,
    language: model.language,
    server: container.name,
    title: model.title,
    heading: container.pageHeading ?? model.title,
    words: WORDS[model.language],
  };
}

export function emitWeb(ctx: EmitContext): OutputFile[] {
  return ctx.model.containers
    .filter((c) => c.role === 'web')
    .flatMap((c) => {
      const view = webView(ctx.model, c, ctx.provenance);
      return [
        { path: containerFilePath(c.name, 'index.php'), content: ctx.templates.render('web/index.php.hbs', view) },
        { path: containerFilePath(c.name, daemonConfigFile('apache')), content: ctx.templates.render('web/apache-gen-lab.conf.hbs', view) },
      ];
    });
}
