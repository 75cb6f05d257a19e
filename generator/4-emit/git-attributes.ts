// .gitattributes: a course hands a lab out through git, and Git for Windows' core.autocrlf=true
// would rewrite the scripts' line ends on checkout; this keeps every file as gen-lab wrote it.
import type { EmitContext, OutputFile } from './files.js';

export function emitGitAttributes(ctx: EmitContext): OutputFile[] {
  return [{ path: '.gitattributes', content: ctx.templates.render('lab/gitattributes.hbs', { provenance: ctx.provenance }) }];
}
