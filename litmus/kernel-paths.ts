/**
 * Litmus cases for kernel paths the generated programs cannot drive: an IPI during
 * rseq(UNREGISTER), a failed execve, ptrace single-step through a c.s., and a SIGSEGV handler
 * over a bad descriptor. The kernel side is kernel-paths.c (one program, one mode per case); its
 * cells are the memory of the case's model, so both sides name outcomes the same way.
 *
 * The model side of each case is one place, `modelSide`: an IR model and the knob settings it is
 * explored with under the running kernel's preset. A wired case (`wired: true`) is held against
 * the outcomes the model explores, as the generated cases are; `expected` is the set worked out
 * by hand from rseq-semantics.md and the kernel sources, which test/litmus holds the explored set
 * against. Every case is wired; a case with `wired: false` would be held against `expected`
 * and its verdict would say so ("the hand-worked set").
 */
import { readFileSync } from 'node:fs';
import { I, ModelBuilder, seq, type Fragment } from '../models/ir/builder.js';
import type { InstructionInput, ModelInput } from '../models/ir/schema.js';
import type { EventKind } from '../models/ir/types.js';
import { criticalSection } from '../models/library/librseq/primitives.js';
import type { LitmusPlan } from './generate.js';

export interface KernelPathCase {
  readonly id: string;
  readonly title: string;
  readonly expect: string;
  /** The mode of kernel-paths.c that runs the kernel side. */
  readonly mode: 'unregister-ipi' | 'exec-failure' | 'ptrace-step' | 'segv-handler';
  /** The model side: the IR model (its memory = the program's cells) and the knobs to explore it with. */
  readonly modelSide: { readonly model: ModelInput; readonly knobs: readonly string[]; readonly budgets: Readonly<Partial<Record<EventKind, number | 'unbounded'>>> };
  /** The outcome set worked out by hand (what the kernel may do); for a wired case, what the model should give. */
  readonly expected: readonly string[];
  /** What the model side does not express (shown beside the allowed set; '' when nothing). */
  readonly awaiting: string;
  /** The model side expresses the path: the verdict uses the explored outcomes, else `expected`. */
  readonly wired: boolean;
  /** The stress, described for the never-shown column. */
  readonly plan: LitmusPlan;
  /** A documented disagreement: observed outcomes the model forbids, and why (the verdict stays MODEL TOO STRONG). */
  readonly knownFinding?: { readonly outcomes: readonly string[]; readonly why: string };
}

const PINNED = { preemptions: 'unbounded', interrupts: 'unbounded', traps: 'unbounded', migrations: 0, signals: 0 } as const;
const NO_PLAN: LitmusPlan = { signals: 0, migrations: 0, windowUs: 0, competitors: false, delays: [], runTimeoutSeconds: 10 };

/**
 * cs_syscall4 of kernel-paths.c: a c.s. whose range is the syscall (labelled `${p}_start`) and
 * a nop after it; an abort stores aborted=1 and does not retry; both ways clear rseq_cs.
 */
function syscallInCs(p: string, call: InstructionInput, next: string): Fragment {
  return seq(
    I.arm(`${p}_cs`),
    call,
    I.nop(),
    I.jmp(`${p}_clear`, { label: `${p}_post` }),
    I.store({ var: 'aborted' }, 1, { label: `${p}_abort` }),
    I.clear({ label: `${p}_clear` }),
    I.jmp(next),
    { code: [], descriptors: { [`${p}_cs`]: { start: `${p}_start`, postCommit: `${p}_post`, abort: `${p}_abort` } } },
  );
}

/** membarrier RSEQ IPIs from CPU 1 while T1 (CPU 0) unregisters with a c.s. armed around the syscall, then re-registers over a stale rseq_cs. */
function unregisterIpi(): KernelPathCase {
  const model = new ModelBuilder('litmus-unregister-ipi')
    .describe('T1 unregisters (c.s. armed around the syscall), checks cpu_id = -1 and cpu_id_start = 0, re-registers; T2 sends membarrier RSEQ IPIs to CPU 0')
    .cpus(2)
    .memory('unreg_failed', { max: 1 })
    .memory('ids_reset', { max: 1, init: 1 })
    .memory('aborted', { max: 1 })
    .memory('stale_cleared', { max: 1, init: 1 })
    .program(
      'unregisterer',
      seq(
        // As in the C side: an abort before the syscall ran leaves its number in rax (non-zero: failed).
        I.mov('r2', 1),
        syscallInCs('u', I.syscall('rseq_unregister', { dst: 'r2', label: 'u_start' }), 'check'),
        I.br('ne', 'r2', 0, 'failed', { label: 'check' }),
        I.readId('r1', 'cpu_id'),
        I.br('ne', 'r1', -1, 'ids_wrong'),
        I.readId('r1', 'cpu_id_start'),
        I.br('eq', 'r1', 0, 'register'),
        I.store({ var: 'ids_reset' }, 0, { label: 'ids_wrong' }),
        // No instruction reads rseq_cs: the C side's check that registration cleared the stale
        // descriptor it left in the area is not modelled (stale_cleared keeps its initial 1).
        I.syscall('rseq_register', { label: 'register' }),
        I.done(),
        I.store({ var: 'unreg_failed' }, 1, { label: 'failed' }),
        I.done(),
      ),
    )
    .program('ipi', [I.syscall('membarrier', { cpu: 0 }), I.syscall('membarrier', { cpu: 0 }), I.done()])
    .thread({ name: 'T1', program: 'unregisterer', cpu: 'C0' })
    .thread({ name: 'T2', program: 'ipi', cpu: 'C1' })
    .build();
  return {
    id: 'unregister-ipi',
    title: 'membarrier RSEQ IPI during rseq(UNREGISTER)',
    expect: 'the unregistration is atomic against the IPI: IDs reset (cpu_id -1, cpu_id_start 0) and nothing rewrites them; no abort; re-registration clears the stale rseq_cs',
    mode: 'unregister-ipi',
    modelSide: { model, knobs: ['unregisterAtomicVsIpi=true', 'registrationClearsRseqCs=true'], budgets: PINNED },
    // An abort needs a preemption at the syscall instruction itself (before it runs): the C side
    // then sees the syscall number in rax, a failure, and stops.
    expected: ['unreg_failed=0 ids_reset=1 aborted=0 stale_cleared=1', 'unreg_failed=1 ids_reset=1 aborted=1 stale_cleared=1'],
    wired: true,
    awaiting: 'stale_cleared: the model has no instruction that reads rseq_cs after a registration, so the C side\'s check of the stale descriptor is not modelled (the cell is a constant store)',
    plan: { ...NO_PLAN, windowUs: 4000 },
  };
}

/** execve of a file the kernel cannot load, inside a c.s., with a sentinel in cpu_id_start. */
function execFailure(): KernelPathCase {
  const model = new ModelBuilder('litmus-exec-failure')
    .describe('execve fails with ENOEXEC inside bprm_execve, in a c.s.; cpu_id_start holds a sentinel (1; the kernel writes 0 on C0) before the call')
    .cpus(1)
    .memory('exec_failed', { max: 1 })
    .memory('ids_rewritten', { max: 1 })
    .memory('aborted', { max: 1 })
    .program(
      'main',
      seq(
        I.writeId('cpu_id_start', 1, { label: 'sentinel' }),
        // execve_fail returns 1 (failed); an abort before it ran leaves 0 here, as the C side's
        // rax keeps the syscall number (not an error).
        I.mov('r2', 0),
        syscallInCs('x', I.syscall('execve_fail', { dst: 'r2', label: 'x_start' }), 'check'),
        I.store({ var: 'exec_failed' }, 'r2', { label: 'check' }),
        I.readId('r1', 'cpu_id_start'),
        I.br('eq', 'r1', 1, 'end'),
        I.store({ var: 'ids_rewritten' }, 1),
        I.done({ label: 'end' }),
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .build();
  return {
    id: 'exec-failure',
    title: 'execve failure inside a c.s.',
    expect: 'bprm_execve raises notify-resume on failure (169eae7711ea): the IDs are rewritten; the c.s. aborts iff an event bit is pending',
    mode: 'exec-failure',
    modelSide: { model, knobs: ['notifyOnExecFailure=true'], budgets: PINNED },
    // A preemption at the syscall instruction aborts before execve runs (rax keeps 59: not failed).
    expected: ['exec_failed=0 ids_rewritten=1 aborted=1', 'exec_failed=1 ids_rewritten=1 aborted=0', 'exec_failed=1 ids_rewritten=1 aborted=1'],
    wired: true,
    awaiting: '',
    plan: NO_PLAN,
  };
}

/**
 * A tracer single-steps (odd runs) or continues (even runs) a tracee through a c.s. that gives up
 * after 3 aborts. The model's tracee is a fork child, T2 single-stepped by its tracer
 * (models/kernel/ptrace.ts), T3 not: the parent T1 picks one through a choice c.s. whose commit
 * stores stepped=1 and which a preemption aborts (stepped stays 0), then forks that child; the
 * child runs cs_counted_increment of the C side.
 */
function ptraceStep(): KernelPathCase {
  const model = new ModelBuilder('litmus-ptrace-step')
    .describe('a c.s. committed += 1 that counts its aborts and gives up at 3; stepped=1: a tracer single-steps it (every step is a ptrace stop)')
    .cpus(1)
    .memory('stepped', { max: 1 })
    .memory('committed', { max: 1 })
    .memory('attempts', { max: 3 })
    .program(
      'main',
      seq(
        // The choice: committed (stepped=1) or aborted by a preemption (stepped=0).
        I.arm('choice_cs'),
        I.nop({ label: 'choice_start' }),
        I.store({ var: 'stepped' }, 1),
        I.clear({ label: 'choice_post' }),
        I.load('r1', { var: 'stepped' }, { label: 'chosen' }),
        I.br('eq', 'r1', 1, 'fork_stepped'),
        I.syscall('fork', { child: 'T3', dst: 'r2' }),
        I.jmp('forked'),
        I.syscall('fork', { child: 'T2', dst: 'r2', label: 'fork_stepped' }),
        I.br('ne', 'r2', 0, 'parent_done', { label: 'forked' }),
        // cs_counted_increment: no cpu_id check; an abort counts itself and retries below 3.
        I.arm('s_cs', { label: 's_retry' }),
        I.load('r1', { var: 'committed' }, { label: 's_start' }),
        I.add('r1', 1),
        I.store({ var: 'committed' }, 'r1'),
        I.jmp('s_end', { label: 's_post' }),
        I.addm({ var: 'attempts' }, 1, { label: 's_abort' }),
        I.load('r3', { var: 'attempts' }),
        I.br('lt', 'r3', 3, 's_retry'),
        I.clear({ label: 's_end' }),
        I.done(),
        I.done({ label: 'parent_done' }),
        I.jmp('chosen', { label: 'choice_abort' }),
        {
          code: [],
          descriptors: {
            choice_cs: { start: 'choice_start', postCommit: 'choice_post', abort: 'choice_abort' },
            s_cs: { start: 's_start', postCommit: 's_post', abort: 's_abort' },
          },
        },
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .thread({ name: 'T2', program: 'main', cpu: 'C0', dormant: true, tracer: { singleStep: true } })
    .thread({ name: 'T3', program: 'main', cpu: 'C0', dormant: true })
    .build();
  return {
    id: 'ptrace-step',
    title: 'ptrace single-step through a c.s.',
    expect: 'every step is a ptrace stop, a switch: the c.s. aborts at its first instruction every time and never commits while stepped',
    mode: 'ptrace-step',
    modelSide: { model, knobs: [], budgets: PINNED },
    expected: [
      'stepped=0 committed=0 attempts=3',
      'stepped=0 committed=1 attempts=0',
      'stepped=0 committed=1 attempts=1',
      'stepped=0 committed=1 attempts=2',
      'stepped=1 committed=0 attempts=3',
    ],
    wired: true,
    awaiting: '',
    plan: NO_PLAN,
  };
}

/**
 * A c.s. with a wrong signature, SIGSEGV and SIGUSR1 handlers installed, one SIGUSR1 at a random
 * time; the SIGSEGV handler exits (handler_returns=0) or returns (handler_returns=1).
 *
 * What 6.18 does (the tracepoints show it: signal_generate SIGSEGV, signal_deliver SIGSEGV to the
 * handler, signal_generate SIGSEGV again, then the handler runs): the fixup fails on the path
 * that found the c.s. (delivery of SIGUSR1, or notify-resume after a preemption) and forces
 * SIGSEGV with the handler kept; delivering that SIGSEGV runs the fixup again over the same
 * descriptor, which fails again: force_sigsegv(SIGSEGV) makes it fatal, but the handler frame is
 * already being set up and signal_setup_done then blocks SIGSEGV (no SA_NODEFER), so the fatal
 * SIGSEGV stays pending and blocked: the handler runs once; the kill comes when it returns
 * (rt_sigreturn unblocks SIGSEGV). The model does the same (models/kernel/signal-faults.ts) with
 * the thread's own SIGSEGV handler program.
 */
function segvHandler(): KernelPathCase {
  const model = new ModelBuilder('litmus-segv-handler')
    .describe('counter += 1 in a c.s. whose signature word is wrong (rseq_cs cleared after the commit); SIGUSR1 counts itself in `handled`; T1 catches SIGSEGV too; handler_returns is the per-run choice of the C side')
    .cpus(2)
    .memory('counter', { max: 1 })
    .memory('handled', { max: 1 })
    .memory('segv_handled', { max: 1 })
    .memory('handler_returns', { max: 1 })
    .program(
      'main',
      (() => {
        const f = criticalSection('b', [I.load('r1', { var: 'counter' }), I.add('r1', 1), I.store({ var: 'counter' }, 'r1', { label: 'b_commit' })], { next: 'clear' });
        return { code: [I.store({ var: 'handler_returns' }, 0), ...f.code, I.clear({ label: 'clear' }), I.done()], descriptors: { b_cs: { ...f.descriptors['b_cs']!, signature: 0x12345678 } } };
      })(),
    )
    .program('usr1', [I.addm({ var: 'handled' }, 1), I.sigreturn()])
    // on_segv of the C side: segv_handled += 1, rseq_cs = 0, then _exit(0) unless handler_returns.
    .program(
      'segv',
      seq(
        I.addm({ var: 'segv_handled' }, 1),
        I.clear(),
        I.load('r1', { var: 'handler_returns' }),
        I.br('eq', 'r1', 0, 'segv_exit'),
        I.sigreturn(),
        // _exit ends the process; the model's done ends T1 only (T2 may still store its choice).
        I.done({ label: 'segv_exit' }),
      ),
    )
    // The C side picks handler_returns per run (odd runs 1); here T2's store races with T1's
    // first store of 0, so both values reach the end independently of T1's c.s.
    .program('choice', [I.store({ var: 'handler_returns' }, 1), I.done()])
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'usr1', sigsegvHandler: 'segv' })
    .thread({ name: 'T2', program: 'choice', cpu: 'C1' })
    .build();
  return {
    id: 'segv-handler',
    title: 'SIGSEGV handler installed, bad descriptor found on signal delivery',
    expect: 'a fault while rseq_cs holds the bad descriptor forces SIGSEGV; its delivery faults again (fatal), but the handler runs once with the fatal SIGSEGV blocked: it can exit; if it returns, the process is killed',
    mode: 'segv-handler',
    modelSide: { model, knobs: ['segvOnDelivery=force_sigsegv'], budgets: { ...PINNED, signals: 1 } },
    // A fault needs the signal or a preemption while rseq_cs holds the descriptor: inside the c.s.
    // (counter=0), or in the windows outside it, after the arm or after the commit, where the
    // full validation of 6.0-6.18 faults too (counter=1). The SIGUSR1 handler may have run
    // before it, or over the SIGSEGV handler once that cleared rseq_cs. handler_returns=1 with
    // segv_handled=1 and no kill: the model's done ends T1 only, so T2's store may come after
    // it (the C side's _exit ends the process first): allowed, never shown.
    expected: [
      ...[0, 1].flatMap((counter) => [0, 1].flatMap((handled) => [0, 1].map((returns) => `counter=${counter} handled=${handled} segv_handled=1 handler_returns=${returns}`))),
      'counter=1 handled=0 segv_handled=0 handler_returns=0',
      'counter=1 handled=0 segv_handled=0 handler_returns=1',
      'counter=1 handled=1 segv_handled=0 handler_returns=0',
      'counter=1 handled=1 segv_handled=0 handler_returns=1',
      'killed',
    ].sort(),
    wired: true,
    awaiting: '',
    plan: { ...NO_PLAN, signals: 1, windowUs: 6000 },
  };
}

export function kernelPathCases(): readonly KernelPathCase[] {
  return [unregisterIpi(), execFailure(), ptraceStep(), segvHandler()];
}

let sourceText: string | undefined;

/** The C source of the kernel side (lies beside this module; the build copies it to dist/litmus/). */
export function kernelPathsSource(): string {
  sourceText ??= readFileSync(new URL('./kernel-paths.c', import.meta.url), 'utf8');
  return sourceText;
}
