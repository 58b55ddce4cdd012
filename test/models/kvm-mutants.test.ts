/**
 * Hand-worked tests of the return to a KVM guest (models/kernel/kvm.ts) that kernel-paths.test.ts
 * leaves open: which path the guest entry reports, the ID update's force under idUpdate, and
 * which threads count as sleeping in ioctl(KVM_RUN) (only a syscall entry whose instruction was
 * kvm_run).
 *
 * T0 (C0, may run on C1): `pre` (write_id or nothing), kvm_run, r0 = cpu_id_start, done. kvm_run
 * blocks; the guest entry happens at the switch-in after the wake-up.
 */
import { describe, expect, it } from 'vitest';
import { I } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import { DecisionLog, type KernelDecision } from '../../models/kernel/decisions.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { LabelKind, exec, initial, model, stepTo, system, view } from './semantics-helpers.js';

const K = LabelKind;

function kvmSys(preset: string, knobs: Partial<KnobValues>, pre: readonly InstructionInput[] = [], registered = true): RseqSystem {
  const main = [...pre, I.syscall('kvm_run'), I.readId('r0', 'cpu_id_start'), I.done()];
  return system(model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0', allowed: ['C0', 'C1'], registered }], main }), preset, knobs);
}

/** The successor `want` of `s` and the decisions reported while the successors were computed. */
function withDecisions(sys: RseqSystem, s: Int32Array, want: { kind: number; thread: number; arg?: number }): { s: Int32Array; decisions: KernelDecision[] } {
  const log = new DecisionLog();
  sys.kernel.sink = log;
  const next = stepTo(sys, s, want);
  sys.kernel.sink = undefined;
  return { s: next, decisions: log.take() };
}

/** T0 runs `pre` and kvm_run (blocked), is woken and switched in again on `cpu`. */
function guestEntry(sys: RseqSystem, preLen: number, cpu = 0, start = initial(sys)) {
  let s = start;
  for (let i = 0; i <= preLen; i++) s = exec(sys, s, 0);
  if (cpu !== 0) s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: cpu });
  s = stepTo(sys, s, { kind: K.wake, thread: 0 });
  return withDecisions(sys, s, { kind: K.schedule, thread: 0, arg: cpu });
}

const guestEntries = (d: readonly KernelDecision[]) => d.filter((x) => x.kind === 'guest-entry');

describe('the guest entry of a thread woken in ioctl(KVM_RUN): the path it reports', () => {
  // The switch-out of the sleep raised TIF_NOTIFY_RESUME (registered); the guest entry handles it.
  for (const [preset, knobs, path] of [
    ['linux-4.18', { kvmPath: 'updateIds' }, 'updateIds'],
    ['linux-4.18', { kvmPath: 'dropNotify' }, 'dropNotify'],
    ['linux-6.19', { kvmPath: 'updateIds' }, 'deferred'],
  ] as const) {
    it(`${preset}, kvmPath=${knobs.kvmPath}: ${path}`, () => {
      const { decisions } = guestEntry(kvmSys(preset, knobs), 0);
      expect(guestEntries(decisions)).toEqual([{ kind: 'guest-entry', thread: 0, path }]);
    });
  }

  // Unregistered: rseq_preempt raises no TIF_NOTIFY_RESUME, nothing to handle.
  it('unregistered (4.18): no TIF_NOTIFY_RESUME, path none', () => {
    const { decisions } = guestEntry(kvmSys('linux-4.18', { kvmPath: 'updateIds' }, [], false), 0);
    expect(guestEntries(decisions)).toEqual([{ kind: 'guest-entry', thread: 0, path: 'none' }]);
  });
});

describe('updateIds: rseq_handle_notify_resume(NULL, NULL) writes the IDs as every handler run does (idUpdate)', () => {
  // T0, switched out and in once (a handler run caches C0), overwrote cpu_id with 1 on C0, then
  // slept in KVM_RUN without moving: everyHandlerRun rewrites cpu_id 0; onChangeOnly compares
  // with its cached CPU (still C0) and writes nothing.
  for (const [idUpdate, cpuId] of [
    ['everyHandlerRun', 0],
    ['onChangeOnly', 1],
  ] as const) {
    it(`${idUpdate}: cpu_id after the guest entry on the same CPU is ${cpuId}`, () => {
      const sys = kvmSys('linux-4.18', { kvmPath: 'updateIds', idUpdate }, [I.writeId('cpu_id', 1)]);
      const cached = stepTo(sys, initial(sys), { kind: K.preempt, thread: 0, arg: 0 });
      const v = view(sys, guestEntry(sys, 1, 0, cached).s);
      expect([v.cpuId(0), v.tifNotify(0)]).toEqual([cpuId, 0]);
    });
  }
});

describe('only a thread that entered the kernel through kvm_run re-enters a guest', () => {
  // Back in user space after kvm_run (entry irq), a preemption at the next instruction is an
  // ordinary switch: the notify-resume handler runs at the return (IDs of C1), even under dropNotify.
  it('dropNotify: a thread preempted just after kvm_run returned gets the IDs of its new CPU', () => {
    const sys = kvmSys('linux-4.18', { kvmPath: 'dropNotify' });
    let s = guestEntry(sys, 0).s;
    expect(view(sys, s).ip(0)).toBe(1);
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
    s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
    const back = withDecisions(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    expect([view(sys, back.s).cpuIdStart(0), view(sys, back.s).cpuId(0)]).toEqual([1, 1]);
    expect(guestEntries(back.decisions)).toEqual([]);
  });

  // A syscall entry at the top frame's IP 0 has no instruction before it: a tracer (setIp, at
  // the syscall-exit stop) moved the IP of a thread stopped in write(2) to instruction 0.
  it('a thread stopped in a syscall whose tracer set its IP to 0 is no KVM_RUN sleeper', () => {
    const tracer = { setIp: 'top', stop: 'syscall-exit' } as const;
    const sys = system(model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0', tracer }], main: [I.nop({ label: 'top' }), I.syscall('write'), I.done()] }), 'linux-4.18');
    let s = exec(sys, exec(sys, initial(sys), 0), 0);
    s = stepTo(sys, s, { kind: K.wake, thread: 0, arg: 1 }); // resumed with the IP set
    expect([view(sys, s).entry(0), view(sys, s).ip(0)]).toEqual([1, 0]);
    const back = withDecisions(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
    expect([view(sys, back.s).status(0), view(sys, back.s).ip(0)]).toEqual([1, 0]);
    expect(guestEntries(back.decisions)).toEqual([]);
  });
});
