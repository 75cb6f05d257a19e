// ./grade: runs the checkpoints with CHECK_REPORT set and reports them (text, JSON, CSV). The script
// is plain bash (templates/grade/grade.sh) that needs nothing but bash; what it knows about this lab
// (checkpoint names and weights) and every word it prints are in emulate/checks/grade-data.sh,
// written here from the model and templates/partials/grade/<language>/.
import type { LabModel } from '../3-resolve/model.js';
import type { Emitter } from './files.js';
import type { TemplateSet } from './templates.js';
import { CHECKPOINTS } from './checks.js';
import { bashArray } from './bash-rows.js';
import { shellQuote as q } from './escape.js';
import { templateWords } from './words.js';

/** The words of the report, one `key: text` line each in partials/grade/<lang>/words.hbs. */
export const GRADE_WORDS = ['heading', 'runner', 'emulation', 'vagrant', 'stage', 'checkpoint', 'pass', 'fail', 'skip', 'failed', 'failedBare', 'passed', 'passedSeen', 'note', 'stopped', 'running', 'score', 'oldBash'] as const;
/** Every stage's name: the spec's own, else the language's default (the guide's stage-name partial,
 *  so the guide and the report call a stage alike). */
export function stageNames(model: LabModel, templates: TemplateSet): string[] {
  return model.teaching.stages.map((s, n) => s.name ?? templates.render(`partials/guide/${model.language}/stage-name.hbs`, { n }).trim());
}

/** A weight as the report prints it and JSON reads it (a plain decimal). */
const number = (n: number) => String(n);

export const emitGrade: Emitter = ({ model, templates, provenance }) => {
  const words = templateWords(templates, `partials/grade/${model.language}/words.hbs`, GRADE_WORDS, 'grade report words');
  const names = stageNames(model, templates);
  const checkpoints = CHECKPOINTS.map((script, i) => ({ script, name: names[i + 1] ?? '', weight: number(model.teaching.stages[i + 1]?.weight ?? 0) }));
  const data = {
    provenance,
    lab: q(model.name),
    title: q(model.title),
    language: q(model.language),
    stage: model.teaching.stage,
    version: q(model.generatorVersion),
    scripts: bashArray('CHECKPOINT_SCRIPTS', checkpoints.map((c) => c.script)),
    names: bashArray('CHECKPOINT_NAMES', checkpoints.map((c) => c.name)),
    weights: bashArray('CHECKPOINT_WEIGHTS', checkpoints.map((c) => c.weight)),
    // A plain variable, before any array: macOS's bash 3.2 cannot declare the arrays, and ./grade
    // reads this line from it to say what to install.
    oldBash: q(words.oldBash),
    words: `declare -A WORDS=(\n${GRADE_WORDS.map((k) => `  [${k}]=${q(words[k])}`).join('\n')}\n)`,
  };
  return [
    { path: 'emulate/checks/grade-data.sh', content: templates.render('checks/grade-data.sh.hbs', data) },
    { path: 'grade', content: templates.render('grade/grade.sh', { provenance }), executable: true },
  ];
};
