/**
 * Litmus mode: the kernel's own account of the aborts, from the `rseq:rseq_ip_fixup` tracepoint
 * (kernel/rseq.c, emitted when rseq_ip_fixup moves the saved IP to abort_ip). Each event gives
 * regs_ip, start_ip, post_commit_offset and abort_ip, so `regs_ip - start_ip` is the offset in
 * the c.s. at which the thread was interrupted.
 *
 * To say which kernel path produced each fixup and each kill, the session also records, for
 * tasks named like the litmus binary, the events that lead to a run of the rseq handler:
 * sched_switch (the task switched out: preempted, blocked or stopped by a tracer),
 * sched_migrate_task, signal_deliver, signal_generate (the SIGSEGV of a kill) and rseq_update
 * (emitted at the end of every handler run, so it separates one run's causes from the next).
 * paths.ts does the attribution.
 *
 * A private tracefs instance (instances/rseq-check-<pid>-<n>) is used so the global trace
 * settings are left alone; tracefs is mounted at /sys/kernel/tracing if it is not yet, and left
 * mounted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const TRACEFS = '/sys/kernel/tracing';

export interface FixupEvent {
  readonly tid: number;
  readonly regsIp: bigint;
  readonly startIp: bigint;
  readonly postCommitOffset: bigint;
  readonly abortIp: bigint;
}

/** One recorded event of the attribution set (`tid`: the task the event is about). */
export type TraceEvent =
  | ({ readonly kind: 'fixup' } & FixupEvent)
  | { readonly kind: 'update'; readonly tid: number }
  | { readonly kind: 'switch'; readonly tid: number; readonly state: string }
  | { readonly kind: 'migrate'; readonly tid: number }
  | { readonly kind: 'deliver'; readonly tid: number; readonly sig: number; readonly handler: boolean }
  | { readonly kind: 'generate'; readonly tid: number; readonly sig: number };

/** The events recorded, with the filter that keeps them to the litmus binary's tasks. */
const ATTRIBUTION_EVENTS: readonly { readonly event: string; readonly filter?: (comm: string) => string }[] = [
  { event: 'rseq/rseq_ip_fixup' },
  { event: 'rseq/rseq_update', filter: (c) => `comm == "${c}"` },
  { event: 'sched/sched_switch', filter: (c) => `prev_comm == "${c}"` },
  { event: 'sched/sched_migrate_task', filter: (c) => `comm == "${c}"` },
  { event: 'signal/signal_deliver', filter: (c) => `comm == "${c}"` },
  { event: 'signal/signal_generate', filter: (c) => `comm == "${c}"` },
];

export interface TraceResult {
  readonly events: readonly FixupEvent[];
  /** Every recorded event, in trace order; empty when only the fixup tracepoint could be enabled. */
  readonly all: readonly TraceEvent[];
  /** Why the attribution events are missing, when they are. */
  readonly attributionUnavailable?: string;
  /** Events the ring buffer dropped (overrun), summed over CPUs. */
  readonly lost: number;
}

export interface TraceSession {
  /** The events, or why they are lost (e.g. another process unmounted tracefs meanwhile). Never throws. */
  stop(): TraceResult | { unavailable: string };
}

let serial = 0;

function tracefsReady(): boolean {
  return existsSync(join(TRACEFS, 'events')) && existsSync(join(TRACEFS, 'instances'));
}

/**
 * Starts recording rseq_ip_fixup events, or says why it cannot (not root, no tracefs, no
 * tracepoint). Never throws.
 */
export function startFixupTrace(comm = 'rseq-litmus'): { ok: true; session: TraceSession } | { ok: false; reason: string } {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not root: tracefs is not writable' };
  // Mounted as systemd mounts it at boot, and left mounted: unmounting after our session would
  // pull it from under another process's session (litmus runs of the test suite overlap), and
  // of two processes mounting at once the second fails ("already mounted") but finds it ready.
  if (!tracefsReady()) {
    try {
      execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: 'ignore' });
    } catch {
      if (!tracefsReady()) return { ok: false, reason: `tracefs is not mounted at ${TRACEFS} and mounting it failed` };
    }
    if (!tracefsReady()) return { ok: false, reason: `tracefs is not available at ${TRACEFS}` };
  }
  if (!existsSync(join(TRACEFS, 'events', 'rseq', 'rseq_ip_fixup'))) return { ok: false, reason: 'this kernel has no rseq:rseq_ip_fixup tracepoint' };
  const dir = join(TRACEFS, 'instances', `rseq-check-${process.pid}-${serial++}`);
  try {
    mkdirSync(dir);
  } catch (e) {
    return { ok: false, reason: `cannot create a tracefs instance: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  try {
    writeFileSync(join(dir, 'buffer_size_kb'), '4096');
    writeFileSync(join(dir, 'events', 'rseq', 'rseq_ip_fixup', 'enable'), '1');
  } catch (e) {
    cleanup(dir);
    return { ok: false, reason: `cannot enable rseq:rseq_ip_fixup: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  let attributionUnavailable: string | undefined;
  const enabled: string[] = ['rseq/rseq_ip_fixup'];
  for (const { event, filter } of ATTRIBUTION_EVENTS.slice(1)) {
    try {
      if (filter) writeFileSync(join(dir, 'events', event, 'filter'), filter(comm.slice(0, 15)));
      writeFileSync(join(dir, 'events', event, 'enable'), '1');
      enabled.push(event);
    } catch (e) {
      attributionUnavailable ??= `cannot enable ${event.replace('/', ':')}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
  }
  try {
    writeFileSync(join(dir, 'tracing_on'), '1');
  } catch (e) {
    cleanup(dir);
    return { ok: false, reason: `cannot start tracing: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  return {
    ok: true,
    session: {
      stop(): TraceResult | { unavailable: string } {
        try {
          writeFileSync(join(dir, 'tracing_on'), '0');
          for (const event of enabled) writeFileSync(join(dir, 'events', event, 'enable'), '0');
          const text = readFileSync(join(dir, 'trace'), 'utf8');
          const all = attributionUnavailable ? [] : parseTraceEvents(text);
          return { events: parseTrace(text), all, lost: overruns(dir), ...(attributionUnavailable ? { attributionUnavailable } : {}) };
        } catch (e) {
          return { unavailable: `the trace was lost before it was read (${(e as NodeJS.ErrnoException).code ?? String(e)}: tracefs unmounted or the instance removed by another process?)` };
        } finally {
          cleanup(dir);
        }
      },
    },
  };
}

function overruns(dir: string): number {
  let lost = 0;
  try {
    for (const c of readdirSync(join(dir, 'per_cpu'))) {
      const m = /^overrun:\s*(\d+)/m.exec(readFileSync(join(dir, 'per_cpu', c, 'stats'), 'utf8'));
      if (m) lost += Number(m[1]);
    }
  } catch {
    // Statistics are best effort.
  }
  return lost;
}

function cleanup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // An instance that cannot be removed stays; it holds no events once disabled.
  }
}

const LINE = /-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[\d+\].*?rseq_ip_fixup: regs_ip=0x([0-9a-f]+) start_ip=0x([0-9a-f]+) post_commit_offset=(\d+) abort_ip=0x([0-9a-f]+)/;

/** Parses the text of a tracefs `trace` file into fixup events. */
export function parseTrace(text: string): FixupEvent[] {
  const out: FixupEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({ tid: Number(m[1]), regsIp: BigInt(`0x${m[2]}`), startIp: BigInt(`0x${m[3]}`), postCommitOffset: BigInt(m[4]!), abortIp: BigInt(`0x${m[5]}`) });
  }
  return out;
}

const EVENT_LINE = /-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[\d+\][^:]*?\s[\d.]+:\s+(\w+):\s(.*)$/;
const field = (rest: string, name: string): string | undefined => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(rest)?.[1];

/** Parses the text of a tracefs `trace` file into the events of the attribution set, in order. */
export function parseTraceEvents(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = EVENT_LINE.exec(line);
    if (!m) continue;
    const current = Number(m[1]);
    const rest = m[3]!;
    switch (m[2]) {
      case 'rseq_ip_fixup': {
        const f = LINE.exec(line);
        if (f) out.push({ kind: 'fixup', tid: current, regsIp: BigInt(`0x${f[2]}`), startIp: BigInt(`0x${f[3]}`), postCommitOffset: BigInt(f[4]!), abortIp: BigInt(`0x${f[5]}`) });
        break;
      }
      case 'rseq_update':
        out.push({ kind: 'update', tid: current });
        break;
      case 'sched_switch':
        out.push({ kind: 'switch', tid: Number(field(rest, 'prev_pid')), state: field(rest, 'prev_state') ?? '?' });
        break;
      case 'sched_migrate_task':
        out.push({ kind: 'migrate', tid: Number(field(rest, 'pid')) });
        break;
      case 'signal_deliver': {
        const handler = field(rest, 'sa_handler') ?? '0';
        // SIG_DFL is 0 and SIG_IGN is 1: only a real handler gets a frame (and the rseq fixup).
        out.push({ kind: 'deliver', tid: current, sig: Number(field(rest, 'sig')), handler: handler !== '0' && handler !== '1' });
        break;
      }
      case 'signal_generate':
        out.push({ kind: 'generate', tid: Number(field(rest, 'pid')), sig: Number(field(rest, 'sig')) });
        break;
      default:
        break;
    }
  }
  return out;
}
