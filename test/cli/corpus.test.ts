/**
 * The bad-input corpus of issue #17: every case spawns the built CLI (dist/cli/main.js) and
 * asserts its exit code, that its message names the culprit, that no stack trace (or "internal
 * error") appears, and that no partial output is left behind (exit 2 prints nothing on stdout
 * and writes none of the files it was given). Cases run five at a time (describe.concurrent).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResultValue } from '../../reports/json.js';
import { runCli } from './cli-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'rseq-corpus-'));
const at = (name: string): string => join(dir, name);
const G = join('test', 'cli', 'good-tiny.json');
const bad = (f: string): string => join('test', 'cli', 'bad-models', f);
/** good-tiny with the two aborts off: G1-atomicity is violated (a shortest counterexample of 7 steps). */
const broken = ['--knob', 'abortOnPreempt=false', '--knob', 'abortOnMigrate=false'];
const SHORTEST = '0:0:0:0:1:0';

// Fixtures: an ordinary file, a directory, and model files with one mistake each.
writeFileSync(at('file.txt'), 'not a directory\n');
mkdirSync(at('a-dir'));
const tiny = { name: 'one', cpus: 1, programs: { main: [{ op: 'nop' }, { op: 'done' }] }, threads: [{ program: 'main', cpu: 'C0' }] };
const model = (name: string, extra: Record<string, unknown>): string => {
  writeFileSync(at(name), JSON.stringify({ ...tiny, ...extra }, null, 1));
  return at(name);
};

interface Case {
  readonly what: string;
  readonly args: readonly string[];
  readonly exit: number;
  /** What the message must say (stderr; stdout for help and results): the culprit. */
  readonly says: RegExp;
  /** stdout: nothing (the default for exit 2), exactly one valid JSON document, or text to match. */
  readonly stdout?: 'empty' | 'json' | RegExp;
  /** Paths that must not exist afterwards. */
  readonly leaves?: readonly string[];
  /** Paths that must exist afterwards. */
  readonly writes?: readonly string[];
}

const usage = (cmd: string): RegExp => new RegExp(`^Usage: rseq-check ${cmd}`);
const help = (what: string, args: string[], cmd: string): Case => ({ what, args, exit: 0, says: /./, stdout: usage(cmd) });
const rejected = (what: string, args: readonly string[], says: RegExp, leaves?: readonly string[]): Case => ({ what, args, exit: 2, says, ...(leaves ? { leaves } : {}) });

const corpus: Record<string, Case[]> = {
  'help and version': [
    { what: '--version', args: ['--version'], exit: 0, says: /./, stdout: /^\d+\.\d+\.\d+\n$/ },
    { what: '-V', args: ['-V'], exit: 0, says: /./, stdout: /^\d+\.\d+\.\d+\n$/ },
    help('--help', ['--help'], '\\[options\\] \\[command\\]'),
    help('-h', ['-h'], '\\[options\\] \\[command\\]'),
    help('no command at all', [], '\\[options\\] \\[command\\]'),
    help('help check', ['help', 'check'], 'check'),
    help('check --help', ['check', '--help'], 'check'),
    help('check MODEL --help runs nothing', ['check', 'percpu-counter', '--help'], 'check'),
    help('check --help after other options', ['check', G, '--max-states', '5', '--help'], 'check'),
    help('check -h', ['check', '-h'], 'check'),
    help('review --help', ['review', '--help'], 'review'),
    help('litmus --help', ['litmus', '--help'], 'litmus'),
    help('litmus --suite --help does not start the suite', ['litmus', '--suite', '--help'], 'litmus'),
    help('models --help does not list', ['models', '--help'], 'models'),
    help('policies --help does not list', ['policies', '--help'], 'policies'),
    help('gallery --help', ['gallery', '--help'], 'gallery'),
    help('report --help', ['report', '--help'], 'report'),
    rejected('a misspelt --version', ['--versoin'], /unknown option --versoin.*did you mean --version\?/),
    rejected('an unknown command', ['chek', G], /unknown command "chek".*did you mean check\?/),
    rejected('help for an unknown command', ['help', 'chek'], /unknown command "chek".*did you mean check\?/),
  ],
  options: [
    rejected('a misspelt option', ['check', G, '--quite'], /unknown option --quite for check \(did you mean --quiet\?\)/),
    rejected('a misspelt --max-states', ['check', G, '--max-stats', '10'], /unknown option --max-stats .*did you mean --max-states\?/),
    rejected('a misspelt --preemptions', ['check', G, '--premptions', '1'], /did you mean --preemptions\?/),
    rejected('an option far from any', ['check', G, '--zzzzzzzz'], /unknown option --zzzzzzzz for check$/m),
    rejected('review --scenario not in the review', ['review', '--scenario', 'S99'], /--scenario "S99" is not in the review \(it has: S1, .*\) \(did you mean S9\?\)/),
    rejected('review --policy not in the review', ['review', '--policy', 'linux-6.4'], /--policy "linux-6.4" is not in the review .*\(did you mean linux-6\.0\?\)/),
    rejected('review --max-states 0', ['review', '--max-states', '0'], /--max-states must be an integer at least 1, got "0"/),
    rejected('review --max-memory with a unit', ['review', '--max-memory', '40MB'], /--max-memory must be an integer 1\.\.1048576, got "40MB"/),
    rejected('litmus --max-seconds negative', ['litmus', '--suite', '--max-seconds', '-1'], /--max-seconds must be a number of seconds 0\.\.2678400, got "-1"/),
    rejected('litmus --max-seconds not a number', ['litmus', 'percpu-counter', '--max-seconds', 'soon'], /--max-seconds must be a number of seconds .*got "soon"/),
    rejected('review --ltl', ['review', '--ltl', 'G true'], /--ltl does not apply to review/),
    rejected('review --knob', ['review', '--knob', 'abortOnPreempt=false'], /--knob does not apply to review \(it is an option of check\)/),
    rejected('models --workers', ['models', '--workers', '1'], /--workers does not apply to models/),
    rejected('policies --policy', ['policies', '--policy', 'x'], /--policy does not apply to policies/),
    rejected('gallery --quiet', ['gallery', '--quiet'], /--quiet does not apply to gallery/),
    rejected('litmus --max-states 0', ['litmus', '--suite', '--max-states', '0'], /--max-states must be an integer at least 1, got "0"/),
    rejected('report --json', ['report', 'x.json', '--json'], /--json does not apply to report/),
    rejected('check --runs', ['check', G, '--runs', '5'], /--runs does not apply to check \(it is an option of litmus\)/),
    rejected('check --suite', ['check', G, '--suite'], /--suite does not apply to check/),
    rejected('check --out', ['check', G, '--out', at('o')], /--out does not apply to check \(it is an option of review\)/, [at('o')]),
    rejected('a second MODEL', ['check', G, 'percpu-counter'], /check takes one MODEL; unexpected "percpu-counter"/),
    rejected('review with an argument', ['review', 'now'], /review takes no arguments; unexpected "now"/),
    rejected('models with an argument', ['models', 'x'], /models takes no arguments; unexpected "x"/),
    rejected('policies with an argument', ['policies', 'x'], /policies takes no arguments/),
    rejected('gallery with an argument', ['gallery', 'x'], /gallery takes no arguments/),
    rejected('litmus with two models', ['litmus', 'a', 'b'], /litmus takes one MODEL; unexpected "b"/),
    rejected('litmus with a model and --suite', ['litmus', 'percpu-counter', '--suite'], /litmus takes a MODEL or --suite, not both/),
    rejected('litmus with neither', ['litmus'], /litmus needs a MODEL or --suite/),
    rejected('litmus --json with an unknown suite case (nothing on stdout)', ['litmus', 'suite/nope', '--json'], /no litmus suite case "suite\/nope"/),
    rejected('litmus --case without --suite', ['litmus', 'percpu-counter', '--case', 'percpu-rseq'], /--case: --case picks cases of --suite: give --suite too, or name one case as MODEL suite\/percpu-rseq/),
    rejected('litmus --case not in the suite, before any queue is reached', ['litmus', '--suite', '--case', 'percpu-rsq', '--json', '--queue', 'redis://127.0.0.1:1'], /--case "percpu-rsq" is not in the litmus suite \(it has: percpu-rseq, .*\) \(did you mean percpu-rseq\?\)/),
    rejected('litmus --queue not a Redis URL', ['litmus', '--suite', '--queue', 'http://127.0.0.1:6379'], /--queue must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/127\.0\.0\.1:6379" \(scheme http\)/),
    rejected('litmus --queue unreachable', ['litmus', '--suite', '--case', 'percpu-rseq', '--queue', 'redis://127.0.0.1:1'], /--queue: cannot reach the queue at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/),
    rejected('report with two inputs', ['report', 'a.json', 'b.json'], /report takes one RESULT.json; unexpected "b.json"/),
    rejected('check without a MODEL', ['check'], /MODEL: check needs a MODEL/),
    rejected('report without an input', ['report'], /report needs a RESULT.json/),
    rejected('--quiet=yes', ['check', G, '--quiet=yes'], /--quiet takes no value \(got "--quiet=yes"\)/),
    rejected('--json=1', ['check', G, '--json=1'], /--json takes no value/),
    rejected('--finite-events=yes', ['check', G, '--ltl', 'G true', '--finite-events=yes'], /--finite-events takes no value/),
    rejected('--no-symmetry=x', ['check', G, '--no-symmetry=x'], /--no-symmetry takes no value/),
    rejected('--policy without its value', ['check', G, '--policy'], /--policy: --policy needs a value/),
    rejected('--knob without its value', ['check', G, '--knob'], /--knob needs a value/),
    rejected('--max-states without its value', ['check', G, '--max-states'], /--max-states needs a value/),
    rejected('a negative budget', ['check', G, '--preemptions', '-1'], /bad-budget: --preemptions: --preemptions must be a non-negative integer up to 64 or "unbounded", got "-1"/),
    rejected('a fractional budget', ['check', G, '--signals', '1.5'], /--signals must be a non-negative integer up to 64/),
    rejected('a budget over the cap', ['check', G, '--migrations', '65'], /--migrations must be a non-negative integer up to 64 or "unbounded", got "65"/),
    rejected('a huge budget', ['check', G, '--migrations', '1e9'], /--migrations .* got "1e9"/),
    rejected('a word for a budget', ['check', G, '--interrupts', 'many'], /--interrupts .* got "many"/),
    rejected('an empty budget', ['check', G, '--traps', ''], /--traps .* got ""/),
    rejected('--max-states 0', ['check', G, '--max-states', '0'], /--max-states must be an integer at least 1, got "0"/),
    rejected('--max-states -5', ['check', G, '--max-states', '-5'], /--max-states must be an integer at least 1, got "-5"/),
    rejected('--max-states 1.5', ['check', G, '--max-states', '1.5'], /--max-states .* got "1.5"/),
    rejected('--max-states abc', ['check', G, '--max-states', 'abc'], /--max-states .* got "abc"/),
    rejected('--max-seconds -1', ['check', G, '--max-seconds', '-1'], /--max-seconds must be a number of seconds 0\.\.2678400, got "-1"/),
    rejected('--max-seconds forever', ['check', G, '--max-seconds', 'forever'], /--max-seconds .* got "forever"/),
    rejected('--max-seconds 1e12', ['check', G, '--max-seconds', '1e12'], /--max-seconds .* got "1e12"/),
    rejected('--max-memory 0', ['check', G, '--max-memory', '0'], /--max-memory must be an integer 1\.\.1048576, got "0"/),
    rejected('--max-memory 99999999999', ['check', G, '--max-memory', '99999999999'], /--max-memory .* got "99999999999"/),
    rejected('--workers 0', ['check', G, '--workers', '0'], /--workers must be an integer 1\.\.\d+ \(this machine has \d+ cores?\), got "0"/),
    rejected('--workers 1000', ['check', G, '--workers', '1000'], /--workers must be an integer 1\.\.\d+ \(this machine has \d+ cores?\), got "1000"/),
    rejected('--workers 99999999999', ['check', G, '--workers', '99999999999'], /--workers .* got "99999999999"/),
    rejected('review --workers 1000', ['review', '--workers', '1000'], /--workers .* got "1000"/),
    rejected('litmus --runs 0', ['litmus', '--suite', '--runs', '0'], /--runs must be an integer 1\.\.10000000, got "0"/),
    rejected('litmus --seconds -1', ['litmus', '--suite', '--seconds', '-1'], /--seconds must be a number of seconds 0\.\.86400, got "-1"/),
    rejected('an unknown --search', ['check', G, '--search', 'sideways'], /--search must be first-then-shortest, bfs or dfs, got "sideways"/),
    rejected('an unknown --fairness', ['check', G, '--ltl', 'G true', '--fairness', 'sometimes'], /--fairness must be weak, strong or none, got "sometimes"/),
    rejected('--fairness without a temporal property', ['check', G, '--fairness', 'weak'], /--fairness does not apply to a check without a temporal property/),
    rejected('--finite-events without a temporal property', ['check', G, '--finite-events'], /--finite-events does not apply to a check without a temporal property/),
    rejected('--search with only a temporal property', ['check', G, '--ltl', 'G true', '--search', 'bfs'], /--search does not apply to a temporal check/),
    rejected('--no-symmetry with only a temporal property', ['check', G, '--property', 'progress', '--no-symmetry'], /--no-symmetry does not apply to a temporal check/),
    rejected('an unknown reduction', ['check', G, '--no-reduce=bogus'], /--no-reduce: unknown reduction "bogus" \(known: /),
    rejected('a property named twice', ['check', G, '--property', 'G1-atomicity', '--property', 'G1-atomicity'], /property "G1-atomicity" is named twice/),
  ],
  'model files': [
    rejected('an unknown label', ['check', bad('unknown-label.json')], /unknown-label.json:\d+:\d+: unknown-label: programs\.worker\[3\]\.target: jumps to "abrot".*did you mean "abort"/),
    rejected('a jump out of range', ['check', bad('jump-out-of-range.json')], /jump-out-of-range: programs\.worker\[8\]\.target: jumps to instruction 42/),
    rejected('abort_ip inside the c.s.', ['check', bad('abort-inside-cs.json')], /bad-descriptor: descriptors\.cs\.abort: abort_ip "start" lies inside the critical section/),
    rejected('a descriptor naming no program', ['check', bad('descriptor-no-program.json')], /unknown-program: descriptors\.cs\.program: names no program "wroker".*did you mean "worker"/),
    rejected('invalid JSON', ['check', bad('not-json.json')], /not-json.json:\d+:\d+: bad-json/),
    rejected('a model file budget over the cap', ['check', model('budget-65.json', { budgets: { migrations: 65 } })], /budget-65.json:\d+:\d+: schema: budgets\.migrations: .*64/),
    rejected('a model file budget of 1e9', ['check', model('budget-1e9.json', { budgets: { migrations: 1e9 } })], /budget-1e9.json:\d+:\d+: schema: budgets\.migrations: .*64/),
    rejected('a negative model file budget', ['check', model('budget-neg.json', { budgets: { preemptions: -1 } })], /budget-neg.json:\d+:\d+: schema: budgets\.preemptions/),
    rejected('a word for a model file budget', ['check', model('budget-word.json', { budgets: { signals: 'lots' } })], /budget-word.json:\d+:\d+: schema: budgets\.signals/),
    rejected('an unknown field', ['check', model('extra-field.json', { colour: 'red' })], /extra-field.json:\d+:\d+: schema: .*colour/),
    rejected('an unknown budget kind', ['check', model('budget-kind.json', { budgets: { naps: 1 } })], /budget-kind.json:\d+:\d+: schema: .*naps/),
    rejected('a thread on an unknown CPU', ['check', model('thread-cpu.json', { threads: [{ program: 'main', cpu: 'C9' }] })], /thread-cpu.json:\d+:\d+: .*C9/),
    rejected('a thread running no program', ['check', model('thread-prog.json', { threads: [{ program: 'mian', cpu: 'C0' }] })], /thread-prog.json:\d+:\d+: .*mian.*did you mean "main"/),
    rejected('an empty file', ['check', (writeFileSync(at('empty.json'), ''), at('empty.json'))], /empty.json:.*bad-json/),
    rejected('a JSON array', ['check', (writeFileSync(at('array.json'), '[1, 2]'), at('array.json'))], /array.json.*schema/),
    rejected('a missing file', ['check', at('nowhere.json')], /nowhere.json/),
    rejected('a directory as the model', ['check', at('a-dir')], /a-dir/),
    rejected('an unknown built-in model', ['check', 'percpu-countr'], /unknown-model: MODEL: no built-in model or file "percpu-countr" \(did you mean "percpu-counter"\?\)/),
    rejected('an unknown gallery entry', ['check', 'gallery/nope'], /gallery\/nope/),
    rejected('an unknown --param', ['check', 'percpu-counter', '--param', 'thread=2'], /unknown-param: .*thread/),
    rejected('an unparsable --param', ['check', 'percpu-counter', '--param', 'threads=lots'], /bad-param: --param\.threads: threads must be an integer/),
    rejected('a --param out of range', ['check', 'percpu-counter', '--param', 'threads=99'], /bad-param: --param\.threads: .*99/),
    rejected('--param for a model file', ['check', G, '--param', 'threads=2'], /--param applies to built-in models only/),
    rejected('an unknown preset', ['check', G, '--policy', 'linux-9.9'], /unknown-policy: --policy: unknown policy "linux-9.9"/),
    rejected('an unknown knob', ['check', G, '--knob', 'eventTraking=mask3'], /unknown-knob: --knob\.eventTraking: unknown knob "eventTraking" \(did you mean "eventTracking"\?\)/),
    rejected('a bad knob value', ['check', G, '--knob', 'eventTracking=sometimes'], /bad-knob-value: .*"sometimes" is not a value of eventTracking/),
    rejected('a knob without a value', ['check', G, '--knob', 'eventTracking'], /--knob.*eventTracking/),
  ],
  'properties and LTL': [
    rejected('an unknown property', ['check', G, '--property', 'G4'], /unknown-property: --property: unknown property "G4"/),
    rejected("an unparsable model file property, at the file's line and column", ['check', bad('bad-property.json')], /bad-property.json:86:29: bad-property: final\[0\]\.expr: expected an expression, found '=='/),
    rejected('an unknown variable in a model file property', ['check', model('prop-var.json', { invariants: [{ name: 'p', expr: 'sum(nope) >= 0' }] })], /prop-var.json:\d+:\d+: bad-property: invariants\[0\]\.expr: unknown variable "nope"/),
    rejected('duplicate property names', ['check', model('dup.json', { invariants: [{ name: 'p', expr: 'true' }], final: [{ name: 'p', expr: 'true' }] })], /dup.json:\d+:\d+: bad-property: final\[0\]\.name: property "p" is already defined at invariants\[0\]/),
    rejected('an unknown name in --ltl', ['check', G, '--ltl', 'G nope > 0'], /<command line>:1:3: bad-property: --ltl: unknown name "nope"/),
    rejected('a function written as a name', ['check', G, '--ltl', 'G sum > 0'], /--ltl: "sum" is a function: write sum\(var\)/),
    rejected('an unknown thread', ['check', G, '--ltl', 'G !in_cs(T9)'], /<command line>:1:10: bad-property: --ltl: in_cs\(T\): unknown thread "T9" \(threads: T1, T2\)/),
    rejected('an unknown CPU', ['check', G, '--ltl', 'G !on_cpu(T1, C7)'], /--ltl: on_cpu\(T, C\): unknown CPU "C7" \(CPUs: C0, C1\)/),
    rejected('an unknown variable', ['check', G, '--ltl', 'G sum(nope) >= 0'], /--ltl: unknown variable "nope" \(variables: counter\)/),
    rejected('sum without its variable', ['check', G, '--ltl', 'G sum() >= 0'], /--ltl: sum takes one variable: sum\(VAR\)/),
    rejected('a thread function without its thread', ['check', G, '--ltl', 'G !done()'], /--ltl: done\(T\): unknown thread \(none given\)/),
    rejected('an unknown function', ['check', G, '--ltl', 'G frob(T1)'], /--ltl: unknown function "frob" \(known: sum\(var\), done\(T\)/),
    rejected('an unbalanced parenthesis', ['check', G, '--ltl', 'G (done(T1)'], /bad-property: --ltl:/),
    rejected('an operator without an operand', ['check', G, '--ltl', 'G'], /bad-property: --ltl:/),
    rejected('an empty formula', ['check', G, '--ltl', ''], /bad-property: --ltl:/),
    rejected('a trailing operator', ['check', G, '--ltl', 'G done(T1) &&'], /bad-property: --ltl:/),
    rejected('a bad --ltl with a good one: nothing runs', ['check', G, '--ltl', 'G true', '--ltl', 'G nope'], /unknown name "nope"/),
    rejected('a bad safety property after a temporal one: nothing runs', ['check', G, '--property', 'progress', '--property', 'G4'], /unknown property "G4"/),
  ],
  'output paths': [
    rejected('--report into /proc', ['check', G, '--report', '/proc/rseq-report'], /--report \/proc\/rseq-report: "\/proc" is on the proc pseudo file system/),
    rejected('--report into /sys', ['check', G, '--report', '/sys/rseq-report'], /is on the sysfs pseudo file system/),
    rejected('--report into /dev', ['check', G, '--report', '/dev/rseq-report'], /pseudo file system/, ['/dev/rseq-report']),
    rejected('--report onto an existing file', ['check', G, '--report', at('file.txt')], /--report .*file\.txt: .* is an existing file where a directory is needed/),
    rejected('--report under a file', ['check', G, '--report', join(at('file.txt'), 'sub')], /is an existing file where a directory is needed/),
    rejected('--report with a bad model: nothing written', ['check', 'percpu-countr', '--report', at('never-report')], /percpu-countr/, [at('never-report')]),
    rejected('--report with a bad option value: nothing written', ['check', G, '--report', at('never-report2'), '--max-states', '0'], /--max-states/, [at('never-report2')]),
    rejected('--graph into /proc', ['check', G, '--graph', '/proc/g.dot'], /--graph \/proc\/g\.dot: .* proc pseudo file system/),
    rejected('--graph into /sys', ['check', G, '--graph', '/sys/g.dot'], /sysfs pseudo file system/),
    rejected('--graph onto a directory', ['check', G, '--graph', at('a-dir')], /--graph .*: unknown extension ""/),
    rejected('--graph onto a directory named .dot', ['check', G, '--graph', (mkdirSync(at('d.dot')), at('d.dot'))], /--graph .*d\.dot: is a directory, a file name is needed/),
    rejected('--graph into a missing directory', ['check', G, '--graph', join(at('missing'), 'g.dot')], /--graph .*: the directory ".*missing" does not exist/, [at('missing')]),
    rejected('--graph under a file', ['check', G, '--graph', join(at('file.txt'), 'g.dot')], /--graph .*file\.txt\/g\.dot/),
    rejected('--graph as PNG', ['check', G, '--graph', at('g.png')], /--graph .*g\.png: PNG is not available.*FILE\.svg/, [at('g.png')]),
    rejected('--graph with an unknown extension', ['check', G, '--graph', at('g.txt')], /--graph .*g\.txt: unknown extension "\.txt" \(--graph writes FILE\.dot, FILE\.gv or FILE\.svg\)/, [at('g.txt')]),
    rejected('review --out into /proc', ['review', '--out', '/proc/rseq-review'], /--out \/proc\/rseq-review: .*proc pseudo file system/),
    rejected('review --out onto a file', ['review', '--out', at('file.txt')], /--out .*existing file where a directory is needed/),
    rejected('review --out and --report both', ['review', '--out', at('r1'), '--report', at('r2')], /--report and --out name the same directory/, [at('r1'), at('r2')]),
    rejected('report -o into /proc', ['report', 'x.json', '-o', '/proc/r.html'], /-o \/proc\/r\.html: .*proc pseudo file system/),
    rejected('report -o onto a directory', ['report', 'x.json', '-o', at('a-dir')], /-o .*a-dir: is a directory/),
    rejected('report of a missing input', ['report', at('nowhere.json'), '-o', at('never.html')], /nowhere.json: bad-file: cannot read the result: no such file/, [at('never.html')]),
    rejected('report of a directory', ['report', at('a-dir'), '-o', at('never2.html')], /is a directory, not a JSON file/, [at('never2.html')]),
    rejected('report of a file that is not JSON', ['report', at('file.txt'), '-o', at('never3.html')], /file.txt:1:1: bad-json: not valid JSON/, [at('never3.html')]),
  ],
  'JSON output': [
    { what: 'a pass', args: ['check', G, '--preemptions', '1', '--migrations', '0', '--json'], exit: 0, says: /"kind": "check"/, stdout: 'json' },
    { what: 'a violation, the first counterexample on stderr', args: ['check', G, ...broken, '--json'], exit: 1, says: /"verdict": "violation"/, stdout: 'json' },
    { what: 'an incomplete check', args: ['check', 'percpu-counter', '--max-states', '100', '--json', '--workers', '1'], exit: 3, says: /"verdict": "incomplete"/, stdout: 'json' },
    { what: 'a temporal pass', args: ['check', G, '--ltl', 'G !killed', '--json', '--workers', '1'], exit: 0, says: /"kind": "temporal"/, stdout: 'json' },
    { what: 'a temporal violation', args: ['check', G, '--ltl', 'G F done(T1)', '--json', '--workers', '1'], exit: 1, says: /"loopStart"/, stdout: 'json' },
    { what: 'a temporal check stopped', args: ['check', G, '--property', 'progress', '--max-states', '10', '--json', '--workers', '1'], exit: 3, says: /"stoppedBy"/, stdout: 'json' },
    { what: 'two temporal properties: one document', args: ['check', G, '--ltl', 'G !killed', '--ltl', 'G F done(T1)', '--json', '--workers', '1'], exit: 1, says: /"kind": "checks"/, stdout: 'json' },
    { what: 'temporal and safety: one document', args: ['check', G, '--ltl', 'G !killed', '--property', 'G1-atomicity', '--json', '--workers', '1'], exit: 0, says: /"kind": "checks"/, stdout: 'json' },
    { what: 'with --report: the document alone on stdout', args: ['check', G, ...broken, '--json', '--report', at('json-report')], exit: 1, says: /"kind": "check"/, stdout: 'json', writes: [join(at('json-report'), 'report.html'), join(at('json-report'), 'result.json')] },
    { what: 'models --json', args: ['models', '--json'], exit: 0, says: /"kind": "models"/, stdout: 'json' },
    { what: 'gallery --json', args: ['gallery', '--json'], exit: 0, says: /"kind": "gallery"/, stdout: 'json' },
    { what: 'policies --json', args: ['policies', '--json'], exit: 0, says: /"kind": "policies"/, stdout: 'json' },
    { what: 'a replay', args: ['check', G, ...broken, '--replay', SHORTEST, '--json'], exit: 1, says: /"kind": "trace"/, stdout: 'json' },
    { what: 'a graph', args: ['check', G, '--preemptions', '0', '--migrations', '0', '--graph', at('j.dot'), '--json'], exit: 0, says: /"kind": "graph"/, stdout: 'json', writes: [at('j.dot')] },
    rejected('bad input with --json: nothing on stdout', ['check', G, '--json', '--max-states', 'x'], /--max-states/),
    rejected('review --json with a bad --out: nothing on stdout', ['review', '--json', '--out', '/proc/x'], /proc pseudo file system/),
  ],
  replay: [
    { what: 'a shortest counterexample replays to its violation', args: ['check', G, ...broken, '--replay', SHORTEST], exit: 1, says: /^REPLAYED: VIOLATED G1-atomicity after 5 steps\n[^]*replay: --replay 0:0:0:0:1:0\n$/, stdout: /REPLAYED/ },
    { what: 'the first counterexample replays too', args: ['check', G, ...broken, '--replay', '0:0:3:0:3:0:3:0:0:1:0'], exit: 1, says: /^REPLAYED: VIOLATED G1-atomicity after 10 steps/, stdout: /REPLAYED/ },
    { what: 'under the fixed policy the same token violates nothing', args: ['check', G, '--replay', SHORTEST], exit: 0, says: /^REPLAYED: 5 steps, no property violated at the end/, stdout: /REPLAYED/ },
    { what: 'a prefix violates nothing', args: ['check', G, ...broken, '--replay', '0:0:0'], exit: 0, says: /^REPLAYED: 2 steps, no property violated/, stdout: /REPLAYED/ },
    rejected('a garbage token', ['check', G, '--replay', 'garbage'], /--replay: "garbage" is not a replay token/),
    rejected('an empty token', ['check', G, '--replay', ''], /--replay: "" is not a replay token/),
    rejected('a trailing colon', ['check', G, '--replay', '0:1:'], /"0:1:" is not a replay token/),
    rejected('a negative step', ['check', G, '--replay', '0:-1'], /"0:-1" is not a replay token/),
    rejected('a step that does not apply', ['check', G, ...broken, '--replay', '0:9:9'], /--replay: step 1 does not apply: the state after step 0 has 6 successors, the token asks for successor 9/),
    rejected('an initial state that does not exist', ['check', G, '--replay', '5:0'], /--replay: step 0 does not apply: the model has 1 initial state, the token starts from state 5/),
    rejected('a step past the violation', ['check', G, ...broken, '--replay', `${SHORTEST}:0`], /step 6 does not apply: step 5 already violates G1-atomicity/),
    rejected('--replay with --ltl', ['check', G, '--ltl', 'G true', '--replay', '0'], /--ltl does not apply to --replay/),
    rejected('--replay with a temporal property', ['check', G, '--property', 'progress', '--replay', '0'], /the temporal property "progress" does not apply to --replay/),
    rejected('--replay with --report', ['check', G, '--replay', '0', '--report', at('rr')], /--report does not apply to --replay/, [at('rr')]),
    rejected('--replay with --max-states', ['check', G, '--replay', '0', '--max-states', '5'], /--max-states does not apply to --replay/),
  ],
  graph: [
    // Counts as computed today; the budgets apply (one preemption: 175 states below).
    { what: 'no kernel events', args: ['check', G, '--preemptions', '0', '--migrations', '0', '--graph', at('chain.dot')], exit: 0, says: /^wrote .*chain\.dot: 36 states, 60 transitions\n$/, stdout: /wrote/, writes: [at('chain.dot')] },
    { what: 'SVG', args: ['check', G, '--preemptions', '0', '--migrations', '0', '--graph', at('chain.svg')], exit: 0, says: /chain\.svg: 36 states, 60 transitions/, stdout: /wrote/, writes: [at('chain.svg')] },
    { what: 'a violating model exits 1', args: ['check', G, ...broken, '--preemptions', '1', '--migrations', '0', '--graph', at('v.dot')], exit: 1, says: /130 states, 254 transitions \(a drawn state violates a property, in red\)/, stdout: /wrote/, writes: [at('v.dot')] },
    { what: 'the same model fixed exits 0', args: ['check', G, '--preemptions', '1', '--migrations', '0', '--graph', at('f.dot')], exit: 0, says: /83 states, 188 transitions\n$/, stdout: /wrote/, writes: [at('f.dot')] },
    { what: '--max-states cuts it: exit 3', args: ['check', G, '--graph', at('cut.dot'), '--max-states', '5'], exit: 3, says: /5 states, 4 transitions \(cut at --max-states 5\)/, stdout: /wrote/, writes: [at('cut.dot')] },
    rejected('too large to draw', ['check', 'percpu-counter', '--graph', at('big.dot')], /the state graph has more than 500 states/, [at('big.dot')]),
    rejected('--graph with --ltl', ['check', G, '--graph', at('l.dot'), '--ltl', 'G true'], /--ltl does not apply to --graph/, [at('l.dot')]),
    rejected('--graph with --workers', ['check', G, '--graph', at('w.dot'), '--workers', '1'], /--workers does not apply to --graph/, [at('w.dot')]),
    rejected('--graph with --replay', ['check', G, '--graph', at('r.dot'), '--replay', '0'], /--replay does not apply to --graph/, [at('r.dot')]),
    rejected('--graph with --values', ['check', G, '--graph', at('v2.dot'), '--values', 'full'], /--values does not apply to --graph/, [at('v2.dot')]),
    { what: '--max-seconds cuts it: exit 3, the states seen drawn', args: ['check', G, '--graph', at('s.dot'), '--max-seconds', '0'], exit: 3, says: /^wrote .*s\.dot: 1 states, 0 transitions \(cut at --max-seconds 0\)\n$/, stdout: /wrote/, writes: [at('s.dot')] },
    { what: '--max-memory cuts it: exit 3', args: ['check', G, '--graph', at('m.dot'), '--max-memory', '10'], exit: 3, says: /\(cut at --max-memory 10\)\n$/, stdout: /wrote/, writes: [at('m.dot')] },
    { what: 'a cut graph in JSON names its limit', args: ['check', G, '--graph', at('s.svg'), '--max-seconds', '0', '--json'], exit: 3, says: /"stoppedBy": \{\n\s+"kind": "time",\n\s+"bound": 0/, stdout: 'json', writes: [at('s.svg')] },
    { what: 'a generous --max-seconds changes nothing', args: ['check', G, '--preemptions', '1', '--migrations', '0', '--graph', at('g.dot'), '--max-seconds', '600'], exit: 0, says: /83 states, 188 transitions\n$/, stdout: /wrote/, writes: [at('g.dot')] },
    rejected('--graph with a temporal property', ['check', G, '--graph', at('t.dot'), '--property', 'progress'], /the temporal property "progress" does not apply to --graph/, [at('t.dot')]),
  ],
};

/** Runs the built CLI and collects its output. */
async function run(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

for (const [category, cases] of Object.entries(corpus)) {
  describe.concurrent(`${category} (${cases.length} cases)`, () => {
    for (const c of cases) {
      it(c.what, async () => {
        const r = await run(c.args);
        expect(r.code, `${r.err}${r.out}`).toBe(c.exit);
        expect(`${r.out}${r.err}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$|rseq-check: internal error/m);
        const stdout = c.stdout ?? (c.exit === 2 ? 'empty' : undefined);
        if (stdout === 'empty') expect(r.out).toBe('');
        else if (stdout === 'json') {
          // Exactly one document: JSON.parse refuses two.
          const doc: unknown = JSON.parse(r.out);
          expect(validateResultValue(doc)).toEqual([]);
        } else if (stdout) expect(r.out).toMatch(stdout);
        expect(c.exit === 2 ? r.err : stdout === 'json' || (stdout && c.exit !== 2) ? r.out : r.err).toMatch(c.says);
        for (const p of c.leaves ?? []) expect(existsSync(p), p).toBe(false);
        for (const p of c.writes ?? []) expect(existsSync(p), p).toBe(true);
      });
    }
  });
}

describe('the corpus', () => {
  it('has at least 200 cases across the categories of issue #17 (checkpoint/resume and signals have their own files)', () => {
    expect(Object.values(corpus).reduce((n, cases) => n + cases.length, 0)).toBeGreaterThanOrEqual(200);
  });
});
