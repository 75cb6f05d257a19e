// dumpYaml writes literal blocks itself and must give exactly what js-yaml gives: on every YAML file
// of the generated example labs, and on many random documents made of the characters where the
// two could part (tabs, CR, NEL, NBSP, line/paragraph separators, BOM, emoji, lone surrogates,
// leading spaces and newlines, trailing newlines, and the placeholder's own text).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import yaml from 'js-yaml';
import { dumpYaml, YAML_OPTIONS } from '../generator/4-emit/yaml-dump.js';
import { compileExamples } from './support/examples.js';
import { mulberry32 } from './support/rng.js';


test('every YAML file of every example lab: the same bytes as js-yaml', () => {
  let documents = 0;
  let blocks = 0;
  const { labs, broken } = compileExamples();
  assert.equal(broken, []);
  for (const { spec, files } of labs) {
    for (const f of files.filter((f) => f.path.endsWith('.yaml'))) {
      const doc = yaml.load(f.content) as object;
      const expected = yaml.dump(doc, YAML_OPTIONS);
      assert.is(dumpYaml(doc), expected, `${spec}: ${f.path}`);
      documents++;
      blocks += (expected.match(/: \|/g) ?? []).length;
    }
  }
  assert.ok(documents >= 10 && blocks >= 20, `too little covered: ${documents} documents, ${blocks} blocks`);
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a reproducible seed. */
const random = mulberry32;

const PIECES = ['a', 'line', ' ', '  ', '\n', '\n', '\n\n', '\t', '\r', '\r\n', '#', ': ', '- ', '|', '"', "'", '\u0085', '\u00a0', '\u00e9', '\u2028', '\u2029', '\ufeff', '\ud83d\ude00', '\ud800', '\u0000', '\u007f', '---', 'gen_lab_literal_block_0_', 'gen_lab_literal_block_7_'];

function randomString(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 3 || r < 0.5) return randomString(next);
  if (r < 0.75) return Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomValue(next, depth + 1));
  return Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => [`k${i}`, randomValue(next, depth + 1)]));
}

test('5000 random documents: the same bytes as js-yaml, and they load back unchanged', () => {
  for (let seed = 1; seed <= 5000; seed++) {
    const next = random(seed);
    const doc = { write_files: [{ path: '/x', content: randomString(next) }], other: randomValue(next, 0) };
    const out = dumpYaml(doc);
    assert.is(out, yaml.dump(doc, YAML_OPTIONS), `seed ${seed}: ${JSON.stringify(doc)}`);
    assert.equal(yaml.load(out), doc, `seed ${seed} does not load back`);
  }
});

test('values that are not plain objects are left to js-yaml (dates, binary)', () => {
  const doc = { when: new Date(0), bytes: new Uint8Array([1, 2]), text: 'a\nb\n', nested: [{ at: new Date(86_400_000) }] };
  assert.is(dumpYaml(doc), yaml.dump(doc, YAML_OPTIONS));
});

test.run();
