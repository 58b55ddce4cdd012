/**
 * models/kernel/exec.ts rule by rule (mutation testing, issue #15): a successful execve
 * (de_thread, rseq_execve, mm_cid 0, fresh registers), a failed one (sched_mm_cid_after_execve
 * and the notify of its error path), the mm_cids of the initial state, the holder of an mm_cid
 * and mm_cid uniqueness as user space sees it.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import type { InstructionInput, ModelInput, ThreadInput } from '../../models/ir/schema.js';
import { decodeValue } from '../../models/kernel/encoding.js';
import { mmCidHolder, mmCidsUnique } from '../../models/kernel/exec.js';
import { Status } from '../../models/kernel/layout.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { checkModel } from '../../run/check.js';
import { execveWords } from '../../run/decision-words.js';
import { compile, exec, initial, system, view } from './semantics-helpers.js';

/**
 * A (thread 0, C0, mm_cid 0) runs `nop; done`; T0 (thread 1, C1, mm_cid 1) runs `main`; `more`
 * threads after them. No event budget. Invariant x == 0: a store of x after the syscall ends the
 * search there (a trace to read).
 */
function execModel(main: readonly InstructionInput[], t0: Partial<ThreadInput> = {}, more: readonly ThreadInput[] = []): ModelInput {
  const b = new ModelBuilder('exec').cpus(2).memory('x', { max: 1 }).program('main', [...main]).program('other', [I.nop(), I.done()]);
  b.thread({ name: 'A', program: 'other', cpu: 'C0' }).thread({ name: 'T0', program: 'main', cpu: 'C1', ...t0 });
  for (const t of more) b.thread(t);
  return b.budgets({ preemptions: 0, migrations: 0, signals: 0 }).invariant('x-unset', 'x == 0').build();
}

const kernelCid = (sys: RseqSystem, s: Int32Array, t: number): number => sys.kernel.get(s, sys.layout.mmCid[t]!);
const readsCid = I.readId('r0', 'mm_cid');
const setX = I.store({ var: 'x' }, 1);
/** execve fails, then mm_cid is read and x set. */
const fails = [I.syscall('execve_fail', { dst: 'r1' }), readsCid, setX, I.done()];

/** The model where A (thread 0, mm_cid 0) runs `fails` and T0 only `nop; done`. */
function aFails(): ModelInput {
  const m = execModel([I.nop(), I.done()]);
  return { ...m, programs: { ...m.programs, other: fails } };
}

/** The text of the trace step that executes the execve, under `preset` and `knobs`. */
async function execveStep(m: ModelInput, preset: string, knobs: string[] = []): Promise<string> {
  const r = await checkModel(compile(m), { policy: preset, knobs, properties: ['x-unset'] });
  if (r.verdict !== 'violation') throw new Error(r.verdict);
  const texts = r.trace.steps.map((st) => st.text);
  // No switch-in happens: no mm_cid "still held" by another thread is ever reported.
  expect(texts.filter((t) => t.includes('still holds'))).toEqual([]);
  return texts.find((t) => t.includes('syscall execve'))!;
}

// -------------------------------------------------------------------------------------------
describe('execve succeeds: de_thread ends the created threads, the new image starts afresh', () => {
  // de_thread kills the threads of the process; a fork child not yet created is no thread.
  it('a dormant fork child stays dormant (the new image may still create it); running and ready threads end', () => {
    const W = { name: 'W', program: 'other', cpu: 'C0' };
    const B = { name: 'B', program: 'main', cpu: 'C1', dormant: true };
    const sys = system(execModel([I.syscall('execve'), I.syscall('fork', { child: 'B' }), I.done()], {}, [W, B]), 'linux-4.18');
    const s0 = initial(sys);
    expect([0, 1, 2, 3].map((t) => view(sys, s0).status(t))).toEqual([Status.Running, Status.Running, Status.Ready, Status.Dormant]);
    const s = exec(sys, s0, 1);
    expect([0, 1, 2, 3].map((t) => view(sys, s).status(t))).toEqual([Status.Done, Status.Running, Status.Done, Status.Dormant]);
  });

  it('its single thread takes mm_cid 0 of the new mm, with every register 0', () => {
    // T0 holds mm_cid 1 and puts 3 and 5 in r1, r2 before its execve; the new image reads them.
    const sys = system(execModel([I.mov('r1', 3), I.mov('r2', 5), I.syscall('execve'), I.add('r1', 'r2'), readsCid, I.done()]), 'linux-6.3');
    let s = initial(sys);
    expect(kernelCid(sys, s, 1)).toBe(1);
    const L = sys.layout;
    const regs = (st: Int32Array) => Array.from({ length: L.registers }, (_, r) => decodeValue(sys.kernel.get(st, L.regs[L.frame(1, 0) * L.registers + r]!)));
    s = exec(sys, exec(sys, s, 1), 1);
    expect(regs(s).slice(1, 3)).toEqual([3, 5]);
    s = exec(sys, s, 1);
    expect([kernelCid(sys, s, 1), regs(s)]).toEqual([0, regs(s).map(() => 0)]);
  });

  it('the trace says so', async () => {
    expect(await execveStep(execModel([I.syscall('execve'), setX, I.done()]), 'linux-4.18')).toContain(execveWords('T0', false, false, true, undefined));
  });
});

// -------------------------------------------------------------------------------------------
describe('execve fails: sched_mm_cid_after_execve takes the smallest mm_cid no thread running elsewhere holds', () => {
  /** T0's mm_cid after its execve fails, with A (mm_cid 0) running or done first. */
  function cidAfterFailure(m: ModelInput, aDone: boolean): number {
    const sys = system(m, 'linux-6.3');
    let s = initial(sys);
    if (aDone) s = exec(sys, exec(sys, s, 0), 0);
    return kernelCid(sys, exec(sys, s, 1), 1);
  }

  it('A running holds 0: T0 keeps 1; A done: T0 takes 0', () => {
    expect([cidAfterFailure(execModel(fails), false), cidAfterFailure(execModel(fails), true)]).toEqual([1, 0]);
  });

  // T0's own mm_cid was dropped by sched_mm_cid_before_execve: it does not count as held.
  it('its own mm_cid is free again: A (thread 0) fails while T0 holds 1, A takes 0', () => {
    const sys = system(aFails(), 'linux-6.3');
    expect(kernelCid(sys, exec(sys, initial(sys), 0), 0)).toBe(0);
  });

  // trackMmCid: a model that reads no mm_cid does not follow the kernel's mm_cid at all.
  it('a model that reads no mm_cid: the kernel mm_cid field stays 0 and the trace names none', async () => {
    const m = execModel([I.syscall('execve_fail', { dst: 'r1' }), setX, I.done()]);
    const sys = system(m, 'linux-6.3');
    expect(kernelCid(sys, exec(sys, initial(sys), 1), 1)).toBe(0);
    expect(await execveStep(m, 'linux-6.3')).toContain(execveWords('T0', true, true, true, undefined));
  });
});

describe('execve fails: the notify of the error path (notifyOnExecFailure), in the trace', () => {
  const knob = (v: boolean) => [`notifyOnExecFailure=${v}`];

  it('registered: notify-resume raised (true) or not (false), with the mm_cid taken', async () => {
    expect(await execveStep(execModel(fails), 'linux-6.3', knob(true))).toContain(execveWords('T0', true, true, true, 1));
    expect(await execveStep(execModel(fails), 'linux-6.3', knob(false))).toContain(execveWords('T0', true, false, true, 1));
  });

  // notify needs K.rseq: an unregistered thread has no struct rseq to update.
  it('unregistered: no notify-resume even with notifyOnExecFailure=true', async () => {
    expect(await execveStep(execModel(fails, { registered: false }), 'linux-6.3', knob(true))).toContain(execveWords('T0', true, false, false, 1));
  });

  // Thread 0 registers area 0: "registered" is area >= 0, not > 0.
  it('thread 0 (area 0) registered: notify-resume raised', async () => {
    expect(await execveStep(aFails(), 'linux-6.3', knob(true))).toContain(execveWords('A', true, true, true, 0));
  });
});

// -------------------------------------------------------------------------------------------
describe('mm_cids of the initial state, their holders, and uniqueness as user space reads it', () => {
  /** A (C0, running), T0 (C1, running, unregistered), W (C0, waiting behind A). */
  function threeThreads() {
    const W = { name: 'W', program: 'other', cpu: 'C0' };
    const sys = system(execModel([readsCid, I.done()], { registered: false }, [W]), 'linux-6.3');
    return { sys, s: initial(sys) };
  }

  it('running threads get 0, 1, ... in thread order; a waiting one gets none; an unregistered one shows none in struct rseq', () => {
    const { sys, s } = threeThreads();
    const L = sys.layout;
    expect([0, 1, 2].map((t) => [kernelCid(sys, s, t), sys.kernel.get(s, L.areaMmCid[t]!)])).toEqual([
      [0, 0],
      [1, 0],
      [0, 0],
    ]);
  });

  // The holder is a thread running on another CPU (not t itself, not a waiting one) whose mm_cid is cid.
  it('mmCidHolder: the running thread other than t holding cid, or -1', () => {
    const { sys, s } = threeThreads();
    const holder = (t: number, cid: number) => mmCidHolder(sys.kernel, s, t, cid);
    expect([holder(2, 0), holder(2, 1), holder(0, 0), holder(1, 1), holder(2, 2)]).toEqual([0, 1, -1, -1, -1]);
  });

  // U7: only a thread's own registered struct rseq is read by user space.
  it('mmCidsUnique: an unregistered thread does not count (its struct rseq shows 0 like A)', () => {
    const { sys, s } = threeThreads();
    expect(mmCidsUnique(sys.kernel, s)).toBe(true);
    const clash = s.slice();
    sys.kernel.set(clash, sys.layout.areaMmCid[0]!, 1);
    sys.kernel.setArea(clash, 1, 1);
    sys.kernel.set(clash, sys.layout.areaMmCid[1]!, 1);
    expect(mmCidsUnique(sys.kernel, clash)).toBe(false);
  });
});
