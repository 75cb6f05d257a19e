// emulate/checks/runner-vagrant.sh on a student's laptop: it shares one SSH connection per VM
// (ControlMaster) where the local ssh can, and where it cannot (Windows' own OpenSSH has no
// ControlMaster, PowerShell/Win32-OpenSSH#405; Git for Windows' ssh cannot rely on Unix sockets) it
// goes on with one plain connection per command, saying so once. The reference lab is generated
// into a temporary folder and its runner is sourced in bash with RUNNER=vagrant, against a fake
// `vagrant` (an ssh-config for every VM of the lab, CR LF line ends as on Windows) and a fake `ssh`
// that refuses or accepts the Control options, runs the remote command locally and logs its argv.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('runner-vagrant');
const lab = join(work, 'lab');
const bin = join(work, 'bin');
const windowsBin = join(work, 'bin-windows');
const logFile = join(work, 'calls.log');
const sshConfig = join(lab, '.vagrant', 'gen-lab', 'ssh-config');
// In every fake ssh version, so that the decision the runner keeps for "this ssh" (a file in
// /tmp/gen-lab-ssh-UID-LAB named after the ssh's path and version) is this run's alone.
const token = `fake${process.pid}${Date.now().toString(36)}`;
const NOTICE = /grading goes on without SSH connection sharing/g;
const REFUSAL = 'getsockname failed: Not a socket';

// FAKE_SSH_MODE=refuse: any Control option, -S or -O is refused the way Windows' OpenSSH refuses it
// (exit 255, before connecting); accept: they are taken (-O check answers "Master running").
// Otherwise the host must be a `Host` line of the -F file (as ssh would read it: a CR would be part
// of the name) and the remote command runs here, under bash, without its leading `sudo `.
const FAKE_SSH = `#!/usr/bin/env bash
{ printf ssh; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >>"$FAKE_SSH_LOG"
control=0 config='' op=''
while [ $# -gt 0 ]; do
  case $1 in
    -V) printf '%s\\n' "$FAKE_SSH_VERSION" >&2; exit 0 ;;
    -o) case $2 in Control*) control=1 ;; esac; shift 2 ;;
    -S) control=1; shift 2 ;;
    -O) control=1; op=$2; shift 2 ;;
    -F) config=$2; shift 2 ;;
    -[bcDEeIiJLlmpQRWw]) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
host=$1; shift
if [ "$control" = 1 ] && [ "$FAKE_SSH_MODE" = refuse ]; then
  printf '%s\\n' "\${FAKE_SSH_REFUSAL:-${REFUSAL}}" >&2
  exit 255
fi
if [ -n "$op" ]; then
  [ "$op" = check ] && { echo "Master running (pid=$$)" >&2; exit 0; }
  exit 255
fi
if ! grep -qx "Host $host" "$config" 2>/dev/null; then
  echo "ssh: Could not resolve hostname $host: Name or service not known" >&2
  exit 255
fi
cmd="$*"
exec bash -c "\${cmd#sudo }"
`;

// `vagrant ssh-config` as Vagrant on Windows prints it: CR LF, Windows paths, a banner first.
const FAKE_VAGRANT = `#!/usr/bin/env bash
{ printf vagrant; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >>"$FAKE_SSH_LOG"
[ "$1" = ssh-config ] || exit 1
. emulate/lab.sh
printf '==> vagrant: You have requested to enabled the experimental flag with the following features:\\r\\n\\r\\n'
port=2222
for vm in "\${VMS[@]}"; do
  printf 'Host %s\\r\\n' "$vm"
  printf '  HostName 127.0.0.1\\r\\n  User vagrant\\r\\n  Port %s\\r\\n' "$port"
  printf '  UserKnownHostsFile /dev/null\\r\\n  StrictHostKeyChecking no\\r\\n  PasswordAuthentication no\\r\\n'
  printf '  IdentityFile C:/Users/student/.vagrant.d/insecure_private_key\\r\\n  IdentitiesOnly yes\\r\\n  LogLevel FATAL\\r\\n\\r\\n'
  port=$((port + 1))
done
`;

// Git for Windows' uname.
const FAKE_UNAME = `#!/usr/bin/env bash
[ "$1" = -s ] && { echo MINGW64_NT-10.0-19045; exit 0; }
exec /usr/bin/env -i PATH=/usr/bin:/bin uname "$@"
`;

function writeExecutable(path: string, content: string): void {
  writeFileSync(path, content);
  chmodSync(path, 0o755);
}

let vms: string[] = [];
const timings: string[] = [];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every fake invocation in order: [program, ...argv]. */
  calls: string[][];
}

/** bash that sources the lab's runner-vagrant.sh (RUNNER=vagrant), then runs body. */
function run(body: string, opts: { mode: 'refuse' | 'accept'; version: string; env?: Record<string, string>; windows?: boolean }): Run {
  writeFileSync(logFile, '');
  const env: Record<string, string | undefined> = {
    ...process.env,
    PATH: [...(opts.windows ? [windowsBin] : []), bin, process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    RUNNER: 'vagrant',
    FAKE_SSH_MODE: opts.mode,
    FAKE_SSH_LOG: logFile,
    FAKE_SSH_VERSION: opts.version,
    ...opts.env,
  };
  if (!opts.env || !('GEN_LAB_SSH_MUX' in opts.env)) delete env.GEN_LAB_SSH_MUX;
  const script = `set -uo pipefail\n. ${JSON.stringify(join(lab, 'emulate', 'checks', 'runner-vagrant.sh'))}\n${body}\n`;
  const r = spawnSync('bash', ['-c', script], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  const calls = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

const version = (name: string) => `OpenSSH_9.9p1 ${name}-${token}, OpenSSL 3.0.15`;
const sshCalls = (r: Run) => r.calls.filter((c) => c[0] === 'ssh' && !c.includes('-V'));
const vagrantCalls = (r: Run) => r.calls.filter((c) => c[0] === 'vagrant');
/** The Control options an ssh invocation carries (-o Control*=..., -S, -O). */
function controlOptions(call: string[]): string[] {
  const found: string[] = [];
  call.forEach((a, i) => {
    if (call[i - 1] === '-o' && /^Control/.test(a)) found.push(a.split('=')[0] as string);
    if ((a === '-S' || a === '-O') && i > 0) found.push(a);
  });
  return found;
}
const notices = (r: Run) => r.stderr.match(NOTICE)?.length ?? 0;
const freshConfig = () => rmSync(join(lab, '.vagrant'), { recursive: true, force: true });
const show = (r: Run) => `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\ncalls:\n${r.calls.map((c) => c.join(' ')).join('\n')}`;

// Six `on host1 echo hello`, the first in a $(...) subshell (which cannot set the caller's
// variables: the decision it takes must still hold in the caller), others in the caller, a pipe and
// another subshell, and `vm_ssh host1 true`.
const HELLO = [
  'out=$(on host1 echo hello); echo "sub $out"',
  'on host1 echo hello',
  'on host1 echo hello',
  'on host1 echo hello | sed "s/^/piped /"',
  'out=$(on host1 echo hello); echo "sub $out"',
  'on host1 echo hello',
  'vm_ssh host1 true; echo "vm_ssh $?"',
].join('\n');
const HELLO_OUT = 'sub hello\nhello\nhello\npiped hello\nsub hello\nhello\nvm_ssh 0\n';

const LOOP = 'PRELUDE t0=$(date +%s%N); for i in $(seq 50); do CALL || exit 1; done; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000))';
/** Milliseconds for 50 calls, the best of `rounds` runs (the machine is often shared). */
function timed(label: string, call: string, opts: Parameters<typeof run>[1] | ((round: number) => Parameters<typeof run>[1]), prelude = '', rounds = 2): void {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const r = run(LOOP.replace('PRELUDE', prelude).replace('CALL', call), typeof opts === 'function' ? opts(round) : opts);
    assert.is(r.status, 0, show(r));
    best = Math.min(best, Number(r.stdout.trim().split('\n').pop()));
  }
  timings.push(`  ${label.padEnd(60)} ${String(best).padStart(6)} ms (${(best / 50).toFixed(1)} ms a call)`);
}

test.before(() => {
  mkdirSync(bin);
  mkdirSync(windowsBin);
  writeExecutable(join(bin, 'ssh'), FAKE_SSH);
  writeExecutable(join(bin, 'vagrant'), FAKE_VAGRANT);
  writeExecutable(join(windowsBin, 'uname'), FAKE_UNAME);
});

test('the reference lab is generated, with the runner and the VMs the fakes stand in for', () => {
  const r = runCli([join(repoRoot, 'examples', 'practica6.json'), '-o', lab]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(existsSync(join(lab, 'emulate', 'checks', 'runner-vagrant.sh')));
  vms = (JSON.parse(readFileSync(join(lab, 'model.json'), 'utf8')) as { vms: { name: string }[] }).vms.map((v) => v.name);
  assert.ok(vms.includes('host1') && vms.length >= 2, vms.join(' '));
});

test('ssh refuses ControlMaster: one refused try, plain ssh for the rest of the run, one notice, one vagrant ssh-config', () => {
  freshConfig();
  const r = run(HELLO, { mode: 'refuse', version: version('refusing') });
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, HELLO_OUT, show(r));
  const calls = sshCalls(r);
  const carrying = calls.filter((c) => controlOptions(c).length > 0);
  assert.is(carrying.length, 1, `one invocation carries Control options:\n${show(r)}`);
  assert.is(controlOptions(calls[0] as string[]).length > 0, true, 'the first one: the try that was refused');
  assert.ok(calls.slice(1).every((c) => controlOptions(c).length === 0), 'none after it');
  assert.is(calls.length, 8, `the refused try, then one plain connection a command:\n${show(r)}`);
  assert.is(notices(r), 1, show(r));
  assert.match(r.stderr, /ssh refused to share connections \(getsockname failed: Not a socket\)/);
  assert.not.match(r.stderr, /^getsockname failed/m, "ssh's own refusal is not shown");
  assert.is(vagrantCalls(r).length, 1, `vagrant ssh-config once, the refusal does not ask Vagrant again:\n${show(r)}`);
});

test('the ssh-config written from a CR LF `vagrant ssh-config` has no CR, every VM, the Windows IdentityFile as it was', () => {
  const text = readFileSync(sshConfig, 'utf8');
  assert.not.ok(text.includes('\r'), 'no \\r in the ssh-config');
  assert.ok(text.startsWith('Host '), 'the banner before the first Host line is left out');
  for (const vm of vms) assert.match(text, new RegExp(`^Host ${vm}$`, 'm'), vm);
  assert.match(text, /^ {2}IdentityFile C:\/Users\/student\/\.vagrant\.d\/insecure_private_key$/m);
  assert.match(text, /^ {2}HostName 127\.0\.0\.1$/m);
});

test('the refusal is remembered for this ssh: the next run (the next checkpoint) never offers the options, one notice', () => {
  const r = run(HELLO, { mode: 'refuse', version: version('refusing') });
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, HELLO_OUT);
  assert.is(sshCalls(r).length, 7, show(r));
  assert.ok(sshCalls(r).every((c) => controlOptions(c).length === 0), show(r));
  assert.is(notices(r), 1, show(r));
  assert.match(r.stderr, /refused to share connections before/);
  assert.is(vagrantCalls(r).length, 0, 'the ssh-config is kept');
});

test('a refusal, then a stale ssh-config (255 again): Vagrant is asked once, the command runs, no loop', () => {
  mkdirSync(join(lab, '.vagrant', 'gen-lab'), { recursive: true });
  writeFileSync(sshConfig, 'Host some-vm-of-yesterday\n  HostName 127.0.0.1\n');
  const r = run('on host1 echo hello; echo "rc $?"', { mode: 'refuse', version: version('stale') });
  assert.is(r.stdout, 'hello\nrc 0\n', show(r));
  const calls = sshCalls(r);
  assert.is(calls.length, 3, `refused try, plain (unknown host), plain after the refresh:\n${show(r)}`);
  assert.is(calls.filter((c) => controlOptions(c).length > 0).length, 1);
  assert.is(vagrantCalls(r).length, 1, show(r));
  assert.is(notices(r), 1);
});

test('a VM that is down: the command fails with 255 after one refresh, no loop', () => {
  const r = run('on nonexistent-vm echo hello; echo "rc $?"; on nonexistent-vm true; echo "rc $?"', { mode: 'refuse', version: version('down') });
  assert.is(r.stdout, 'rc 255\nrc 255\n', show(r));
  assert.is(vagrantCalls(r).length, 2, `once a failing command:\n${show(r)}`);
  assert.is(sshCalls(r).length, 5, `refused try + plain + plain after refresh, then plain + plain after refresh:\n${show(r)}`);
  assert.is(notices(r), 1);
});

test('ssh accepts ControlMaster: every command carries ControlMaster, ControlPath and ControlPersist; -O check once; no notice', () => {
  freshConfig();
  const r = run(`on host1 sh -c 'echo first-stderr >&2; exit 3'; echo "rc $?"\n${HELLO}`, { mode: 'accept', version: version('accepting') });
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, `rc 3\n${HELLO_OUT}`, show(r));
  assert.match(r.stderr, /^first-stderr$/m, "the first command's own stderr, held back while ssh's answer was unknown, is shown");
  const calls = sshCalls(r);
  const checks = calls.filter((c) => c.includes('-O'));
  assert.is(checks.length, 1, `one ssh -O check after the first command:\n${show(r)}`);
  assert.ok(checks[0]?.includes('check'));
  const commands = calls.filter((c) => !c.includes('-O'));
  assert.is(commands.length, 8);
  for (const c of commands) assert.equal(controlOptions(c), ['ControlMaster', 'ControlPath', 'ControlPersist'], c.join(' '));
  assert.ok(commands.every((c) => c.includes('ControlMaster=auto') && c.includes('ControlPersist=600')));
  assert.is(notices(r), 0, r.stderr);
  assert.is(vagrantCalls(r).length, 1);
  const again = run(HELLO, { mode: 'accept', version: version('accepting') });
  assert.is(again.stdout, HELLO_OUT);
  assert.is(sshCalls(again).filter((c) => c.includes('-O')).length, 0, 'the next run knows: no check');
  assert.ok(sshCalls(again).every((c) => controlOptions(c).length === 3));
});

test('GEN_LAB_SSH_MUX=0 never passes a Control option (and asks nothing of ssh -V); no notice', () => {
  const r = run(HELLO, { mode: 'accept', version: version('forced-off'), env: { GEN_LAB_SSH_MUX: '0' } });
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, HELLO_OUT);
  assert.is(sshCalls(r).length, 7);
  assert.ok(r.calls.every((c) => controlOptions(c).length === 0), show(r));
  assert.not.ok(r.calls.some((c) => c.includes('-V')));
  assert.is(notices(r), 0);
});

test('GEN_LAB_SSH_MUX=1 always passes them, even to an ssh that refuses: no fallback, 255, one refresh a command', () => {
  const r = run('on host1 echo hello; echo "rc $?"; on host1 echo hello; echo "rc $?"', { mode: 'refuse', version: version('forced-on'), env: { GEN_LAB_SSH_MUX: '1' } });
  assert.is(r.stdout, 'rc 255\nrc 255\n', show(r));
  assert.is(sshCalls(r).length, 4);
  assert.ok(sshCalls(r).every((c) => controlOptions(c).length === 3), show(r));
  assert.is(vagrantCalls(r).length, 2);
  assert.is(notices(r), 0);
});

test('GEN_LAB_SSH_MUX=yes is refused with exit 2', () => {
  const r = run('echo not-reached', { mode: 'accept', version: version('bad'), env: { GEN_LAB_SSH_MUX: 'yes' } });
  assert.is(r.status, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /GEN_LAB_SSH_MUX must be 0 .* or 1 .*, not 'yes'/);
});

test('Git for Windows (uname -s MINGW64_NT-...): plain ssh from the start, one notice', () => {
  freshConfig();
  const r = run(HELLO, { mode: 'refuse', version: version('git-for-windows'), windows: true });
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, HELLO_OUT);
  assert.ok(r.calls.every((c) => controlOptions(c).length === 0), show(r));
  assert.is(sshCalls(r).length, 7);
  assert.is(notices(r), 1, r.stderr);
  assert.match(r.stderr, /Windows \(MINGW64_NT-10\.0-19045\)/);
  assert.not.ok(readFileSync(sshConfig, 'utf8').includes('\r'));
});

test("Windows' own OpenSSH (ssh -V says OpenSSH_for_Windows): plain ssh from the start, one notice", () => {
  const r = run(HELLO, { mode: 'refuse', version: `OpenSSH_for_Windows_9.5p1 ${token}, LibreSSL 3.8.2` });
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, HELLO_OUT);
  assert.ok(r.calls.every((c) => controlOptions(c).length === 0), show(r));
  assert.is(notices(r), 1, r.stderr);
  assert.match(r.stderr, /OpenSSH_for_Windows_9\.5p1 .* has no ControlMaster/);
});

test("the notice reaches the checks' stderr even when the command that met the refusal discards its own", () => {
  const r = run('up=$(vm_ssh host1 echo 42 2>/dev/null); echo "up $up"; on host1 echo hello 2>/dev/null', { mode: 'refuse', version: version('quiet-first') });
  assert.is(r.stdout, 'up 42\nhello\n', show(r));
  assert.is(notices(r), 1, show(r));
  assert.is(sshCalls(r).filter((c) => controlOptions(c).length > 0).length, 1);
});

const OTHER_REFUSALS = ['ControlMaster not supported on this platform', 'muxclient socket(): Unknown error', "ControlPath too long ('/tmp/x' >= 108 bytes)", 'unix_listener: path "/tmp/x" too long for Unix domain socket'];
OTHER_REFUSALS.forEach((message, i) => {
  test(`other words of refusal are recognised too: ${message}`, () => {
    const r = run(HELLO, { mode: 'refuse', version: version(`other-message-${i}`), env: { FAKE_SSH_REFUSAL: message } });
    assert.is(r.stdout, HELLO_OUT, show(r));
    assert.is(sshCalls(r).filter((c) => controlOptions(c).length > 0).length, 1);
    assert.is(notices(r), 1);
    assert.ok(r.stderr.includes(`(${message})`), r.stderr);
  });
});

test('a 255 that is no refusal (connection refused) keeps the Control options: one refresh, 255, no notice, no loop', () => {
  const r = run('on host1 echo hello; echo "rc $?"; on host1 echo hello; echo "rc $?"', {
    mode: 'refuse',
    version: version('not-a-refusal'),
    env: { FAKE_SSH_REFUSAL: 'ssh: connect to host 127.0.0.1 port 2222: Connection refused' },
  });
  assert.is(r.stdout, 'rc 255\nrc 255\n', show(r));
  assert.is(sshCalls(r).length, 4, show(r));
  assert.ok(sshCalls(r).every((c) => controlOptions(c).length === 3), show(r));
  assert.is(vagrantCalls(r).length, 2, 'one refresh a command');
  assert.is(notices(r), 0);
  assert.is((r.stderr.match(/Connection refused/g) ?? []).length, 4, "ssh's own words are shown");
});

test('time of 50 `on host1 true` against the fake ssh, best of 2 (the logic\'s overhead; not judged)', () => {
  const ON = 'on host1 true';
  timed('the fake ssh alone (ssh -F ssh-config host1 true)', 'ssh -F "$SSH_CONFIG" host1 true', { mode: 'accept', version: version('accepting') });
  timed('refusing ssh, first run: one refused try, then plain', ON, (round) => ({ mode: 'refuse', version: version(`timed-refusing-${round}`) }));
  timed('accepting ssh, first run: held stderr, -O check, then shared', ON, (round) => ({ mode: 'accept', version: version(`timed-accepting-${round}`) }));
  timed('GEN_LAB_SSH_MUX=0', ON, { mode: 'accept', version: version('forced-off'), env: { GEN_LAB_SSH_MUX: '0' } });
  timed('Git for Windows (uname -s MINGW64_NT): plain', ON, { mode: 'accept', version: version('git-for-windows'), windows: true });
  // The runner's own work a call, with ssh a shell function that does nothing (no process).
  timed('runner logic alone, shared (ssh a no-op function)', ON, { mode: 'accept', version: version('accepting') }, 'ssh() { :; };');
  timed('runner logic alone, plain (ssh a no-op function)', ON, { mode: 'refuse', version: version('refusing') }, 'ssh() { :; };');
  process.stdout.write(`\n50 calls, best of 2 runs:\n${timings.join('\n')}\n`);
});

test.after(() => {
  removeTemp(work);
  // The decisions the runner kept for the fake ssh versions of this run.
  const uid = spawnSync('id', ['-u'], { encoding: 'utf8' }).stdout.trim();
  const control = `/tmp/gen-lab-ssh-${uid}-practica6`;
  if (existsSync(control)) for (const f of readdirSync(control)) if (f.includes(token)) rmSync(join(control, f), { force: true });
});

test.run();
