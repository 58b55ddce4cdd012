/**
 * Litmus mode: the kernel's own account of the aborts, from the `rseq:rseq_ip_fixup` tracepoint
 * (kernel/rseq.c, emitted when rseq_ip_fixup moves the saved IP to abort_ip). Each event gives
 * regs_ip, start_ip, post_commit_offset and abort_ip, so `regs_ip - start_ip` is the offset in
 * the c.s. at which the thread was interrupted.
 *
 * A private tracefs instance (instances/rseq-check-<pid>-<n>) is used so the global trace
 * settings are left alone; tracefs is mounted at /sys/kernel/tracing if it is not yet (and
 * unmounted again when the last session ends).
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

export interface TraceResult {
  readonly events: readonly FixupEvent[];
  /** Events the ring buffer dropped (overrun), summed over CPUs. */
  readonly lost: number;
}

export interface TraceSession {
  stop(): TraceResult;
}

let mountedByUs = false;
let sessions = 0;
let serial = 0;

function tracefsReady(): boolean {
  return existsSync(join(TRACEFS, 'events')) && existsSync(join(TRACEFS, 'instances'));
}

/**
 * Starts recording rseq_ip_fixup events, or says why it cannot (not root, no tracefs, no
 * tracepoint). Never throws.
 */
export function startFixupTrace(): { ok: true; session: TraceSession } | { ok: false; reason: string } {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not root: tracefs is not writable' };
  if (!tracefsReady()) {
    try {
      execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: 'ignore' });
      if (tracefsReady()) mountedByUs = true;
    } catch {
      return { ok: false, reason: `tracefs is not mounted at ${TRACEFS} and mounting it failed` };
    }
    if (!tracefsReady()) return { ok: false, reason: `tracefs is not available at ${TRACEFS}` };
  }
  if (!existsSync(join(TRACEFS, 'events', 'rseq', 'rseq_ip_fixup'))) {
    release();
    return { ok: false, reason: 'this kernel has no rseq:rseq_ip_fixup tracepoint' };
  }
  const dir = join(TRACEFS, 'instances', `rseq-check-${process.pid}-${serial++}`);
  try {
    mkdirSync(dir);
  } catch (e) {
    release();
    return { ok: false, reason: `cannot create a tracefs instance: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  sessions++;
  try {
    writeFileSync(join(dir, 'buffer_size_kb'), '4096');
    writeFileSync(join(dir, 'events', 'rseq', 'rseq_ip_fixup', 'enable'), '1');
    writeFileSync(join(dir, 'tracing_on'), '1');
  } catch (e) {
    cleanup(dir);
    return { ok: false, reason: `cannot enable rseq:rseq_ip_fixup: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  return {
    ok: true,
    session: {
      stop(): TraceResult {
        try {
          writeFileSync(join(dir, 'tracing_on'), '0');
          writeFileSync(join(dir, 'events', 'rseq', 'rseq_ip_fixup', 'enable'), '0');
          const events = parseTrace(readFileSync(join(dir, 'trace'), 'utf8'));
          return { events, lost: overruns(dir) };
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
  sessions--;
  release();
}

function release(): void {
  if (sessions > 0 || !mountedByUs) return;
  try {
    execFileSync('umount', [TRACEFS], { stdio: 'ignore' });
    mountedByUs = false;
  } catch {
    // Left mounted.
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
