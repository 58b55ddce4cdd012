/**
 * Litmus mode: which kernel path did what in a run, and where the signals landed.
 *
 * Paths come from the kernel's own account (tracepoint.ts). On 6.18 every run of the rseq
 * handler (__rseq_handle_notify_resume) ends with rseq_update, may emit rseq_ip_fixup just before
 * (an abort) or fail instead (force_sigsegv: a signal_generate of SIGSEGV for the task). What
 * made the handler run is what happened to the task since its previous run: a signal delivered
 * to a handler (the handler runs on the delivery path itself), a migration, a switch out while
 * runnable (preemption), while sleeping (blocked), while stopped by a tracer (ptrace stop), or
 * none of these (a membarrier RSEQ IPI or another notify-resume, e.g. a failed execve).
 *
 * Phases come from the program itself: the signal handler logs the IP saved in its frame,
 * which the kernel has already moved to abort_ip when it aborted the c.s. (rseq-semantics.md
 * §2.2: the fixup runs before setup_rt_frame).
 */
import type { ModelIR } from '../models/ir/types.js';
import type { LitmusHeader } from './run.js';
import type { TraceEvent } from './tracepoint.js';

export type KernelPath = 'signal delivery' | 'migration' | 'preemption' | 'blocked' | 'ptrace stop' | 'IPI or other notify';

/** What one run of the rseq handler did that user space can see, and the path that ran it. */
export interface HandlerAction {
  readonly tid: number;
  readonly kind: 'abort' | 'kill';
  readonly path: KernelPath;
}

const SIGSEGV = 11;

/** The path of a handler run, from the causes since the task's previous handler run. */
function pathOf(causes: ReadonlySet<KernelPath>): KernelPath {
  for (const p of ['signal delivery', 'migration', 'ptrace stop', 'preemption', 'blocked'] as const) if (causes.has(p)) return p;
  return 'IPI or other notify';
}

/** The aborts and kills of the tasks `tids`, each with the kernel path that produced it. */
export function attributeActions(events: readonly TraceEvent[], tids: ReadonlySet<number>): HandlerAction[] {
  const causes = new Map<number, Set<KernelPath>>();
  const of = (tid: number): Set<KernelPath> => {
    let s = causes.get(tid);
    if (!s) causes.set(tid, (s = new Set()));
    return s;
  };
  const out: HandlerAction[] = [];
  const killed = new Set<number>();
  for (const e of events) {
    if (!tids.has(e.tid) || killed.has(e.tid)) continue;
    switch (e.kind) {
      case 'switch':
        // R / R+: preempted while runnable; t: stopped by a tracer; T: job control; else asleep.
        of(e.tid).add(e.state.startsWith('R') ? 'preemption' : e.state.startsWith('t') ? 'ptrace stop' : 'blocked');
        break;
      case 'migrate':
        of(e.tid).add('migration');
        break;
      case 'deliver':
        if (e.handler) of(e.tid).add('signal delivery');
        break;
      case 'fixup':
        out.push({ tid: e.tid, kind: 'abort', path: pathOf(of(e.tid)) });
        break;
      case 'generate':
        if (e.sig === SIGSEGV) {
          out.push({ tid: e.tid, kind: 'kill', path: pathOf(of(e.tid)) });
          killed.add(e.tid);
        }
        break;
      case 'update':
        of(e.tid).clear();
        break;
    }
  }
  return out;
}

/** A run's label: its distinct actions (`abort by preemption + kill by signal delivery`), or `no abort`. */
export function actionLabel(actions: readonly HandlerAction[]): string {
  if (actions.length === 0) return 'no abort';
  const labels = [...new Set(actions.map((a) => `${a.kind} by ${a.path}`))];
  return labels.sort().join(' + ');
}

export type SignalPhase = 'before the c.s.' | 'inside (aborted)' | 'inside (not aborted)' | 'at commit' | 'after the c.s.' | 'in a handler' | 'outside the model code';

export const SIGNAL_PHASES: readonly SignalPhase[] = ['before the c.s.', 'inside (aborted)', 'inside (not aborted)', 'at commit', 'after the c.s.', 'in a handler', 'outside the model code'];

/**
 * Where a signal landed, from the IP saved in its frame. The instruction of the IP decides,
 * against the descriptors of its program: in a range but not moved (a c.s. the kernel did not
 * abort), at postCommit (right after the commit: the c.s. completed), before a c.s. (the
 * prefix and the retry path), or after every c.s. of the program. abort_ip itself is an abort.
 */
export function signalPhase(ip: bigint, header: LitmusHeader, ir: ModelIR): SignalPhase {
  if (header.descriptors.some((d) => d.abort === ip)) return 'inside (aborted)';
  const p = header.pcs.findIndex((pcs) => pcs.length > 1 && pcs[0]! <= ip && ip < pcs[pcs.length - 1]!);
  if (p < 0) return 'outside the model code';
  if (ir.threads.some((t) => t.handler === p)) return 'in a handler';
  const pcs = header.pcs[p]!;
  let i = 0;
  while (i + 1 < pcs.length && pcs[i + 1]! <= ip) i++;
  const descs = ir.descriptors.filter((d) => d.program === p);
  if (descs.some((d) => d.start <= i && i < d.postCommit)) return 'inside (not aborted)';
  if (descs.some((d) => d.postCommit === i)) return 'at commit';
  if (descs.some((d) => d.start > i)) return 'before the c.s.';
  return 'after the c.s.';
}
