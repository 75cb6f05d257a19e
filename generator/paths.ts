// Where the generator's own files live, whether run from dist/ or from source.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('gen-lab: package.json not found above ' + dir);
    dir = up;
  }
  return dir;
}

export const packageRoot = findRoot();
export const schemaPath = join(packageRoot, 'schema', 'lab.schema.json');
export const builtinTemplatesDir = join(packageRoot, 'templates');
export const gradeReportSchemaPath = join(packageRoot, 'schema', 'grade-report.schema.json');
