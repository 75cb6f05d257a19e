// A course hands a lab out through git, and Git for Windows checks files out with
// core.autocrlf=true: every script would gain CRLF line ends and fail in the guests
// ("/bin/bash^M: bad interpreter"). The lab folder's .gitattributes keeps every file byte for byte;
// shown here with a real `git clone -c core.autocrlf=true`, and shown to matter by the same clone
// of the same folder without it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allFiles } from '../generator/5-write/write.js';
import { repoRoot, runCli } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'gen-lab-git-'));
const spec = join(repoRoot, 'examples', 'practica6.json');

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=teacher', '-c', 'user.email=teacher@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.is(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The course repository: a lab folder committed from a checkout that converts nothing. */
function courseRepo(name: string, withoutAttributes: boolean): string {
  const repo = join(work, name);
  const gen = runCli([spec, '-o', join(repo, 'lab')]);
  assert.is(gen.status, 0, gen.stderr);
  if (withoutAttributes) rmSync(join(repo, 'lab', '.gitattributes'));
  git(repo, 'init', '-q');
  git(repo, '-c', 'core.autocrlf=false', 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'lab');
  return repo;
}

/** Files of the student's clone that differ from the teacher's, byte or executable bit. */
function differences(teacher: string, student: string): string[] {
  return allFiles(teacher)
    .filter((p) => !p.startsWith('.git/'))
    .filter((p) => !readFileSync(join(teacher, p)).equals(readFileSync(join(student, p))) || (statSync(join(teacher, p)).mode & 0o111) !== (statSync(join(student, p)).mode & 0o111));
}

const clone = (repo: string, name: string) => {
  const to = join(work, name);
  git(work, '-c', 'core.autocrlf=true', 'clone', '-q', '-c', 'core.autocrlf=true', repo, to);
  assert.is(git(to, 'config', 'core.autocrlf').trim(), 'true');
  return to;
};

test('a clone with core.autocrlf=true gets every file of the lab byte for byte, scripts still LF', () => {
  const repo = courseRepo('course', false);
  const student = clone(repo, 'student');
  assert.equal(differences(join(repo, 'lab'), join(student, 'lab')), []);
  const scripts = allFiles(join(student, 'lab')).filter((p) => p.endsWith('.sh') || p === 'grade');
  assert.ok(scripts.length > 10, `${scripts.length} scripts`);
  for (const p of scripts) assert.not.ok(readFileSync(join(student, 'lab', p), 'utf8').includes('\r'), `${p} has CR`);
  // gen-lab itself sees the clone as what it writes.
  const check = runCli([spec, '--check', '-o', join(student, 'lab')]);
  assert.is(check.status, 0, check.stderr);
});

test('without the lab\'s .gitattributes the same clone breaks the scripts (what the file prevents)', () => {
  const repo = courseRepo('bare-course', true);
  const student = clone(repo, 'bare-student');
  const changed = differences(join(repo, 'lab'), join(student, 'lab'));
  assert.ok(changed.includes('vms/host1/network.sh') && changed.includes('grade'), `changed: ${changed.join(', ')}`);
  assert.ok(readFileSync(join(student, 'lab', 'grade'), 'utf8').startsWith('#!/usr/bin/env bash\r\n'), 'the CRLF shebang a guest refuses');
  // A binary seed is left alone by git's own detection, with or without the file.
  assert.not.ok(changed.some((p) => p.endsWith('.iso')), changed.join(', '));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
