/**
 * Checkpoint and resume on real child processes of dist/cli/main.js (issue #17 item 4): a run
 * stopped by SIGINT, by --max-states or killed outright after a periodic checkpoint, once
 * resumed, prints the JSON document of the uninterrupted run (timings aside); a missing,
 * corrupt or mismatched checkpoint, or one asked for where it does not apply, is refused with
 * exit 2 before any search, naming the culprit, without a stack trace or a file left behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateResultValue } from '../../reports/json.js';
import { runCli } from './cli-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'rseq-ckpt-cli-'));
const at = (name: string): string => join(dir, name);

/** A result document without what differs between runs of one search: its timings and provenance (date, command line). */
function timeless(stdout: string): unknown {
  const { provenance: _provenance, ...doc } = JSON.parse(stdout) as Record<string, unknown> & { stats: Record<string, unknown> };
  expect(validateResultValue(doc)).toEqual([]);
  return { ...doc, stats: { ...doc.stats, seconds: 0, statesPerSecond: 0 } };
}

/** A check of 278417 states (several CPU seconds): stopped by hand in the heavy cases. */
const big = ['check', 'percpu-counter', '--param', 'threads=3', '--preemptions', '3', '--migrations', '3', '--search', 'bfs', '--workers', '1', '--json'];
/** A check of 11987 states under linux-6.3: the fixtures' checkpoint is of this one. */
const small = ['check', 'percpu-counter', '--param', 'threads=3', '--policy', 'linux-6.3', '--search', 'bfs', '--workers', '1', '--quiet'];
const made = at('made.ckpt');

beforeAll(async () => {
  const r = await runCli([...small, '--max-states', '8000', '--checkpoint', made]);
  expect(r.code, r.stderr).toBe(3);
  const bytes = readFileSync(made);
  writeFileSync(at('truncated.ckpt'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  writeFileSync(at('random.ckpt'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
  const damaged = Buffer.from(bytes);
  damaged[damaged.length - 10]! ^= 0xff;
  writeFileSync(at('damaged.ckpt'), damaged);
  const text = bytes.toString('latin1');
  const headerEnd = text.indexOf('\n', text.indexOf('\n') + 1);
  writeFileSync(at('bad-header.ckpt'), Buffer.concat([Buffer.from(text.slice(0, 60), 'latin1'), bytes.subarray(headerEnd)]));
  writeFileSync(at('format-99.ckpt'), Buffer.from(text.replace('{"format":1,', '{"format":99,'), 'latin1'));
  mkdirSync(at('a-dir'));
});

interface Refusal {
  readonly what: string;
  readonly args: readonly string[];
  /** What the message must say: the culprit. */
  readonly says: RegExp;
}

const other = (what: string, args: readonly string[], says: RegExp): Refusal => ({ what, args: [...small, ...args, '--resume', made], says });
const file = (name: string): RegExp => new RegExp(`checkpoint ${at(name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} `);

const refusals: Refusal[] = [
  { what: 'a missing checkpoint', args: [...small, '--resume', at('nope.ckpt')], says: new RegExp(`${file('nope.ckpt').source}does not exist`) },
  { what: 'a truncated checkpoint', args: [...small, '--resume', at('truncated.ckpt')], says: new RegExp(`${file('truncated.ckpt').source}cannot be used: it is truncated`) },
  { what: 'random bytes', args: [...small, '--resume', at('random.ckpt')], says: new RegExp(`${file('random.ckpt').source}cannot be used: it is not a checkpoint file`) },
  { what: 'a damaged body', args: [...small, '--resume', at('damaged.ckpt')], says: /damaged\.ckpt cannot be used: its search data does not match its checksum/ },
  { what: 'a damaged header', args: [...small, '--resume', at('bad-header.ckpt')], says: /bad-header\.ckpt cannot be used: its header is damaged/ },
  { what: 'another checkpoint format', args: [...small, '--resume', at('format-99.ckpt')], says: /format-99\.ckpt has checkpoint format 99, this version of rseq-check reads format 1/ },
  { what: 'a directory', args: [...small, '--resume', at('a-dir')], says: /a-dir is a directory/ },
  { what: 'another model', args: ['check', 'plain-counter', '--policy', 'linux-6.3', '--search', 'bfs', '--resume', made], says: /made\.ckpt was made for model percpu-counter, this run uses plain-counter/ },
  other('another policy', ['--policy', 'linux-6.15'], /made\.ckpt was made for policy linux-6\.3, this run uses linux-6\.15/),
  other('another knob', ['--knob', 'abortOnPreempt=false'], /made\.ckpt was made for policy linux-6\.3, this run uses linux-6\.3\+abortOnPreempt=false/),
  other('another property', ['--property', 'G1'], /made\.ckpt was made for properties the model's defaults, this run uses G1/),
  other('another budget', ['--preemptions', '1'], /made\.ckpt was made for budgets preemptions=-1 .*, this run uses preemptions=1 /),
  other('another model parameter', ['--param', 'ops=1'], /made\.ckpt was made for model contents [0-9a-f]{16}, this run uses [0-9a-f]{16}/),
  other('without the symmetry reduction', ['--no-symmetry'], /made\.ckpt was made for reductions symmetry, all reductions, this run uses no symmetry, all reductions/),
  other('another search order', ['--search', 'first-then-shortest'], /made\.ckpt was made for search bfs, this run uses first-then-shortest/),
  { what: '--resume with --ltl', args: ['check', 'percpu-counter', '--policy', 'linux-6.3', '--ltl', 'G true', '--resume', made], says: /--resume does not apply to a temporal check .*checkpoints cover safety checks only/ },
  other('--resume with --replay', ['--replay', '0:0'], /--resume does not apply to --replay/),
  { what: '--checkpoint with a temporal property', args: ['check', 'percpu-counter', '--property', 'no-livelock', '--checkpoint', at('t.ckpt')], says: /--checkpoint does not apply to a temporal check/ },
  { what: '--checkpoint with --search dfs', args: [...small, '--search', 'dfs', '--checkpoint', at('t.ckpt')], says: /--checkpoint does not apply to --search dfs/ },
  { what: '--checkpoint with --graph', args: ['check', 'percpu-counter', '--graph', at('g.dot'), '--checkpoint', at('t.ckpt')], says: /--checkpoint does not apply to --graph/ },
  { what: '--checkpoint on /proc', args: [...small, '--checkpoint', '/proc/x.ckpt'], says: /--checkpoint \/proc\/x\.ckpt: "\/proc" is on the proc pseudo file system/ },
  { what: '--checkpoint in a missing directory', args: [...small, '--checkpoint', at('no/such/x.ckpt')], says: /--checkpoint .*x\.ckpt: the directory ".*no\/such" does not exist/ },
  { what: '--checkpoint onto a directory', args: [...small, '--checkpoint', at('a-dir')], says: /--checkpoint .*a-dir: is a directory, a file name is needed/ },
  { what: '--checkpoint-every without --checkpoint', args: [...small, '--checkpoint-every', '5'], says: /--checkpoint-every needs --checkpoint FILE/ },
  { what: '--checkpoint-every 0', args: [...small, '--checkpoint', at('t.ckpt'), '--checkpoint-every', '0'], says: /--checkpoint-every must be a number of seconds 1\.\.\d+, got "0"/ },
];

describe.concurrent(`refused before any search (${refusals.length} cases)`, () => {
  for (const c of refusals) {
    it(c.what, async () => {
      const before = readdirSync(dir).sort();
      const r = await runCli(c.args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(c.says);
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$|internal error/m);
      // Nothing written: no checkpoint, no temporary file.
      expect(existsSync(at('t.ckpt'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(readdirSync(dir).filter((f) => !before.includes(f) && f.startsWith('made'))).toEqual([]);
    });
  }
});

describe('stopped and resumed: the uninterrupted run\'s document', () => {
  it('--max-states twice (a resume of a resume), then to the end', async () => {
    const full = await runCli([...small, '--json']);
    const f = at('twice.ckpt');
    const first = await runCli([...small, '--json', '--max-states', '5000', '--checkpoint', f]);
    expect(first.code).toBe(3);
    const second = await runCli([...small, '--json', '--max-states', '10000', '--resume', f, '--checkpoint', f]);
    expect(second.code).toBe(3);
    expect((JSON.parse(second.stdout) as { stats: { states: number } }).stats.states).toBeGreaterThanOrEqual(10000);
    const last = await runCli([...small, '--json', '--resume', f]);
    expect(last.code).toBe(0);
    expect(timeless(last.stdout)).toEqual(timeless(full.stdout));
    expect(JSON.parse(last.stdout)).toMatchObject({ verdict: 'pass', stats: { states: 11987, transitions: 80416 } });
  });

  it('SIGINT mid-run, then --resume; and a kill -9 after a periodic checkpoint, then --resume', async () => {
    const full = await runCli(big);
    expect(full.code).toBe(0);
    const f = at('sigint.ckpt');
    const stopped = await runCli([...big, '--checkpoint', f], { cpu: 1.5, signal: 'SIGINT' });
    expect(stopped.code).toBe(3);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted', signal: 'SIGINT' } });
    const resumed = await runCli([...big, '--resume', f]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(timeless(resumed.stdout)).toEqual(timeless(full.stdout));

    // Killed outright (no chance to save on the way out): the last periodic checkpoint is whole.
    const k = at('killed.ckpt');
    const killed = await runCli([...big, '--checkpoint', k, '--checkpoint-every', '1'], { cpu: 1.5, signal: 'SIGKILL', until: () => existsSync(k) });
    expect(killed.code).toBeNull();
    const again = await runCli([...big, '--resume', k]);
    expect(again.code, again.stderr).toBe(0);
    expect(timeless(again.stdout)).toEqual(timeless(full.stdout));
  });
});
