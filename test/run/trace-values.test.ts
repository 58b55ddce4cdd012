/**
 * Traces with values and the decisive step, worked by hand on percpu-counter (2 threads x 2
 * rseq_addv increments, 2 CPUs, 1 signal: T1 on C0, T2 on C1) under two broken policies, and on
 * the gallery's stale-rseq_cs false kill.
 *
 * rseq_addv: `load r0, rseq.cpu_id_start; rseq_cs = &inc0_cs; load r3, rseq.cpu_id;
 * bne r3, r0 -> abort; load r1, counter[r0]; add r1, 1; store counter[r0], r1` (the commit). The
 * first three run as one step (reduction cpu-compare-prefix), as `load r1` and `add r1` do.
 */
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../models/library/resolve.js';
import { checkModel } from '../../run/check.js';
import type { ValueChange } from '../../run/explained-trace.js';
import { replayToken } from '../../run/replay.js';
import { traceToDot } from '../../reports/dot.js';
import { traceToJson, validateResultValue } from '../../reports/json.js';
import { traceToText } from '../../reports/text.js';

const counter = resolveModel('percpu-counter');
const change = (name: string, scope: ValueChange['scope'], before: ValueChange['before'], after: ValueChange['after']): ValueChange => ({ name, scope, before, after });
const initialThread = (t: string, cpu: number): ValueChange[] => [
  ...[0, 1, 2, 3].map((r) => ({ name: `${t}.r${r}`, scope: 'register' as const, after: 0 })),
  { name: `${t}.cpu_id_start`, scope: 'rseq', after: cpu },
  { name: `${t}.cpu_id`, scope: 'rseq', after: cpu },
  { name: `${t}.rseq_cs`, scope: 'rseq', after: null },
  { name: `${t}.events`, scope: 'kernel', after: 'none' },
];

describe('percpu-counter without the abort on migration (linux-6.15+abortOnMigrate=false)', () => {
  const options = { policy: 'linux-6.15', knobs: ['abortOnMigrate=false'], constants: counter.constants };
  // The shortest counterexample: T1 reads cpu_id_start = 0 on C0, arms inc0_cs and reads cpu_id
  // = 0 (one step), compares, loads counter[0] = 0 and adds 1; migrates to C1 inside the c.s. (no
  // event recorded: no abort); preempts T2 on C1, whose IDs the kernel rewrites to 1; commits
  // r1 = 1 into counter[0], C0's slot, from C1.
  const token = '0:0:0:0:2:3:0';
  const r = replayToken(counter.ir, token, options);
  const trace = r.trace;

  it('is the shortest counterexample the check finds', async () => {
    const checked = await checkModel(counter.ir, { ...options, workers: 1 });
    expect(checked.verdict === 'violation' && checked.trace.replay).toBe(token);
    expect(checked.verdict === 'violation' && checked.trace.decisive).toEqual(trace.decisive);
  });

  it('shows every initial value once: memory, then each thread', () => {
    expect(trace.steps[0]!.values).toEqual([
      { name: 'counter[0]', scope: 'memory', after: 0 },
      { name: 'counter[1]', scope: 'memory', after: 0 },
      { name: 'handler_commits', scope: 'memory', after: 0 },
      ...initialThread('T1', 0),
      ...initialThread('T2', 1),
    ]);
  });

  it('shows what each step changed, and nothing else', () => {
    expect(trace.steps.map((s) => s.values)).toEqual([
      trace.steps[0]!.values,
      [change('T1.rseq_cs', 'rseq', null, 'inc0_cs')], // r0 := cpu_id_start = 0 and r3 := cpu_id = 0: unchanged
      [], // the compare
      [change('T1.r1', 'register', 0, 1)], // counter[0] + 1
      [], // the migration records no event: nothing will abort the c.s.
      [change('T1.cpu_id_start', 'rseq', 0, 1), change('T1.cpu_id', 'rseq', 0, 1), change('T2.events', 'kernel', 'none', 'preempt')],
      [change('counter[0]', 'memory', 0, 1)], // C0's slot, written on C1 (r0 = 0, cpu_id = 1)
    ]);
  });

  it('badges the migration inside the c.s. as the decisive step of G1', () => {
    expect(trace.steps[4]!.kind).toBe('migrate');
    expect(trace.decisive).toEqual({
      step: 4,
      property: 'G1-atomicity',
      why: 'the migration happens while T1 is inside inc0_cs and does not abort it: T1 commits at step 6 as if nothing had happened (the missing abort)',
    });
  });

  it('prints the values and the badge in the text trace', () => {
    expect(traceToText(trace)).toBe(
      [
        '  0. initial state (T1 on C0, T2 on C1)',
        '       values: counter[0]=0, counter[1]=0, handler_commits=0',
        '               T1: r0=0 r1=0 r2=0 r3=0 cpu_id_start=0 cpu_id=0 rseq_cs=(none) events=none',
        '               T2: r0=0 r1=0 r2=0 r3=0 cpu_id_start=1 cpu_id=1 rseq_cs=(none) events=none',
        "  1. T1 executes worker:0 (inc0_retry) `load r0, rseq.cpu_id_start`, then `rseq_cs = &inc0_cs`, then `load r3, rseq.cpu_id`",
        '       changed: T1.rseq_cs: (none)→inc0_cs',
        '  2. T1 executes worker:3 `bne r3, r0 -> inc0_abort`',
        '  3. T1 executes worker:4 `load r1, counter[r0]`, then `add r1, 1`',
        '       changed: T1.r1: 0→1',
        '  4. migration of T1 C0→C1 at worker:6 inside inc0_cs',
        '       ^ decisive step, breaks G1-atomicity: the migration happens while T1 is inside inc0_cs and does not abort it: T1 commits at step 6 as if nothing had happened (the missing abort)',
        "  5. preemption of T2 on C1 at worker:0 (inc0_retry); T1 scheduled in: T1 waited on no particular CPU (its migrations change nothing else): placed on C1; cpu_id of T1's struct rseq written: 1; cpu_id_start of T1's struct rseq written: 1; T2: rseq event pending",
        '       changed: T1.cpu_id_start: 0→1, T1.cpu_id: 0→1, T2.events: none→preempt',
        '  6. * T1 executes worker:6 `store counter[r0], r1`: commit of inc0_cs',
        '       changed: counter[0]: 0→1',
        `     replay: --replay ${token}`,
      ].join('\n'),
    );
  });

  it('shows every value at every step with --values full, and none with --values none', () => {
    const full = traceToText(trace, { values: 'full' }).split('\n');
    // Step 4 changed nothing: its values are those after step 3.
    const four = full.findIndex((l) => l.startsWith('  4. '));
    expect(full.slice(four + 1, four + 4)).toEqual([
      '       values: counter[0]=0, counter[1]=0, handler_commits=0',
      '               T1: r0=0 r1=1 r2=0 r3=0 cpu_id_start=0 cpu_id=0 rseq_cs=inc0_cs events=none',
      '               T2: r0=0 r1=0 r2=0 r3=0 cpu_id_start=1 cpu_id=1 rseq_cs=(none) events=none',
    ]);
    const six = full.findIndex((l) => l.startsWith('  6. '));
    expect(full[six + 1]).toBe('       values: counter[0]=0→1, counter[1]=0, handler_commits=0');
    const none = traceToText(trace, { values: 'none' });
    expect(none).not.toMatch(/values:|changed:/);
    expect(none).toContain('^ decisive step, breaks G1-atomicity');
  });

  it('draws the changes beside their step in the DOT lanes, and the decisive badge', () => {
    const dot = traceToDot(trace);
    expect(dot).toContain(
      's3_values [label="T1.r1: 0→1\\l", shape="note", fontcolor="navy", color="navy", fillcolor="#eef3ff", fontsize="9"];',
    );
    expect(dot).toContain('s4 -> s4_decisive [style="dotted", arrowhead="none", color="red3"];');
    expect(dot).toMatch(/s4_decisive \[label="DECISIVE: breaks G1-atomicity\\lthe migration happens while T1 is inside/);
    expect(dot).toContain('{ rank="same"; t4; s4; s4_decisive; }');
    expect(dot).toContain('{ rank="same"; t6; s6; s6_values; }');
  });

  it('carries the values and the decisive step in JSON the published schema accepts', () => {
    const json = traceToJson(trace);
    expect(validateResultValue(JSON.parse(json))).toEqual([]);
    const doc = JSON.parse(json) as { decisive: unknown; steps: { values: unknown }[] };
    expect(doc.decisive).toEqual(trace.decisive);
    expect(doc.steps[6]!.values).toEqual([{ name: 'counter[0]', scope: 'memory', before: 0, after: 1 }]);
    // The new fields are checked, not merely allowed.
    const bad = JSON.parse(json) as { steps: { values: { scope: string }[] }[] };
    bad.steps[6]!.values[0]!.scope = 'cache';
    expect(validateResultValue(bad).length).toBeGreaterThan(0);
    const noWhy = JSON.parse(json) as { decisive: { why?: string } };
    delete noWhy.decisive.why;
    expect(validateResultValue(noWhy).length).toBeGreaterThan(0);
  });
});

describe('percpu-counter without the abort on signal delivery (linux-6.15+abortOnSignal=false)', () => {
  // T1 loads counter[0] = 0 into r1 (+1) inside inc0_cs; a signal arrives there and does not
  // abort it; the handler increments counter[0] to 1 through its own c.s. (its own registers)
  // and counts itself; back from the handler, T1 commits its stale r1 = 1: counter[0] stays 1
  // after two increments (the lost update that G1 catches at the commit).
  const token = '0:0:0:0:3:0:0:0:0:0:0:0';
  const trace = replayToken(counter.ir, token, { policy: 'linux-6.15', knobs: ['abortOnSignal=false'], constants: counter.constants }).trace;

  it('shows the handler frame as its own registers, and a commit that changes nothing', () => {
    expect(trace.steps.map((s) => (s.index === 0 ? 'init' : s.values))).toEqual([
      'init',
      [change('T1.rseq_cs', 'rseq', null, 'inc0_cs')],
      [],
      [change('T1.r1', 'register', 0, 1)],
      [], // the signal: delivered, no event recorded
      [change('T1.rseq_cs', 'rseq', 'inc0_cs', 'h_cs')], // the handler's read, arm and read
      [],
      [change('T1@sig1.r1', 'register', 0, 1)],
      [change('counter[0]', 'memory', 0, 1)], // the handler's commit
      [change('handler_commits', 'memory', 0, 1)],
      [], // sigreturn
      [], // T1's commit: counter[0] := r1 = 1, already 1
    ]);
    expect(trace.steps[11]!.decisions.map((d) => d.kind)).toEqual(['commit']);
    expect(trace.decisive).toEqual({
      step: 4,
      property: 'G1-atomicity',
      why: 'the signal happens while T1 is inside inc0_cs and does not abort it: T1 commits at step 11 as if nothing had happened (the missing abort)',
    });
  });
});

describe('a false kill (gallery/stale-rseq-cs-registration)', () => {
  it('badges the kill, with the stale rseq_cs as the reason it is false', async () => {
    const g = resolveModel('gallery/stale-rseq-cs-registration');
    const r = await checkModel(g.ir, { policy: g.defaults!.policy.preset, knobs: g.defaults!.policy.knobs, properties: g.defaults!.properties, constants: g.constants, workers: 1 });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    expect(r.property).toBe('G2-no-false-kill');
    // rseq_cs starts as what an earlier user of the memory left: old_cs; cpu_id is -1 (unregistered).
    expect(r.trace.steps[0]!.values!.filter((v) => v.scope === 'rseq')).toEqual([
      { name: 'T1.cpu_id_start', scope: 'rseq', after: 0 },
      { name: 'T1.cpu_id', scope: 'rseq', after: -1 },
      { name: 'T1.rseq_cs', scope: 'rseq', after: 'old_cs' },
    ]);
    expect(r.trace.decisive).toEqual({
      step: 1,
      property: 'G2-no-false-kill',
      why: 'the kernel kills T1 (rseq signature mismatch at abort_ip - 4) although T1 broke no rule of the ABI: the rseq_cs it rejected was left by an earlier user of the struct rseq',
    });
  });
});
