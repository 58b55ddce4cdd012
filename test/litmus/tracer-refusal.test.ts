/**
 * Litmus mode refuses a model thread with a tracer (models/kernel/ptrace.ts): the generated C
 * runs no tracer process, so the thread would run untraced while its outcomes are judged
 * against the model of a traced thread. The refusal is bad input (exit 2) located at the
 * thread's `tracer` field, before anything is compiled or run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import type { ModelInput } from '../../models/ir/schema.js';
import { validateModel } from '../../models/ir/validate.js';
import { tracedCounter } from '../../models/library/traced-counter.js';
import { runLitmusCommand } from '../../litmus/command.js';
import { planForModel } from '../../litmus/plan.js';
import { generateLitmusC, LitmusUntranslatable } from '../../litmus/generate.js';

const NO_TRACER = 'but the generated program runs no tracer: the run would be compared with a model of something it did not run (the kernel-path case ptrace-step runs a single-stepping tracer)';

/** The located problems generateLitmusC refuses the model with ([] if it translates it). */
function refusals(model: ModelInput, file: string): string[] {
  const v = validateModel(model, file);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  try {
    generateLitmusC(v.ir, planForModel(v.ir), file);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(LitmusUntranslatable);
    return (e as Error).message.split('\n');
  }
}

describe('a thread with a tracer', () => {
  it('is refused, at the traced thread and nowhere else, for each kind of tracer of traced-counter', () => {
    expect(refusals(tracedCounter({ tracer: 1, threads: 2, cpus: 1 }), 'traced-counter')).toEqual([
      `traced-counter: untranslatable: threads[0].tracer: thread T1 has a tracer that single-steps it, ${NO_TRACER}`,
    ]);
    expect(refusals(tracedCounter({ tracer: 2, threads: 2, cpus: 1 }), 'traced-counter')).toEqual([
      `traced-counter: untranslatable: threads[0].tracer: thread T1 has a tracer that sets its IP to inc_commit of worker at a syscall-entry stop (PTRACE_SETREGS), ${NO_TRACER}`,
    ]);
    expect(refusals(tracedCounter({ tracer: 3, threads: 2, cpus: 1 }), 'traced-counter')).toEqual([
      `traced-counter: untranslatable: threads[0].tracer: thread T1 has a tracer that sets its IP to inc_commit of worker at a syscall-exit stop (PTRACE_SETREGS), ${NO_TRACER}`,
    ]);
  });

  it('is the only refusal of a model that differs from a translatable one by the tracer alone', () => {
    const model = (traced: boolean): ModelInput =>
      new ModelBuilder('two')
        .cpus(1)
        .memory('x', {})
        .program('main', [I.nop({ label: 'top' }), I.syscall('getpid'), I.done()])
        .thread({ name: 'A', program: 'main', cpu: 'C0' })
        .thread({ name: 'B', program: 'main', cpu: 'C0', ...(traced ? { tracer: { singleStep: true } } : {}) })
        .build();
    expect(refusals(model(false), 'two.json')).toEqual([]);
    expect(refusals(model(true), 'two.json')).toEqual([`two.json: untranslatable: threads[1].tracer: thread B has a tracer that single-steps it, ${NO_TRACER}`]);
  });

  describe('rseq-check litmus', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracer-refusal-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // command.ts names a generated case (and so its refusals) after the model, not its file.
    it('exits 2 on a user model with a tracer, with the located message and nothing on stdout', async () => {
      const file = join(dir, 'traced.json');
      writeFileSync(file, JSON.stringify({ ...tracedCounter({ tracer: 1, threads: 2, cpus: 1 }), name: 'my-traced' }));
      const out: string[] = [];
      const other: string[] = [];
      expect(await runLitmusCommand({ model: file, suite: false, json: true }, (s) => out.push(s), (s) => other.push(s))).toBe(2);
      expect(out).toEqual([]);
      expect(other).toEqual([`my-traced: untranslatable: threads[0].tracer: thread T1 has a tracer that single-steps it, ${NO_TRACER}`]);
    });

    it('exits 2 on the library model traced-counter', async () => {
      const printed: string[] = [];
      expect(await runLitmusCommand({ model: 'traced-counter', suite: false }, (s) => printed.push(s), (s) => printed.push(s))).toBe(2);
      expect(printed).toEqual([`traced-counter: untranslatable: threads[0].tracer: thread T1 has a tracer that sets its IP to inc_commit of worker at a syscall-entry stop (PTRACE_SETREGS), ${NO_TRACER}`]);
    });
  });
});
