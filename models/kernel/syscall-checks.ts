import { Code, KillReason } from '../../properties/codes.js';
import type { FixupKernel } from './kernel-view.js';

/**
 * The checks a policy makes at a syscall of a thread inside a c.s. (rseq-semantics.md §5.1:
 * b kills on any rseq_cs, c / d check the entry IP, c' / d the exit IP as rseq_syscall does,
 * and the 6.19 debug mode at exit), with the ghosts G2 and G3 judge them by: whether the
 * syscall was made inside the c.s. and whether the policy promised to catch it.
 */

/** The parts of KernelSemantics the syscall checks use besides the checks' verdicts. */
export interface SyscallKernel extends FixupKernel {
  readonly ghosts: { readonly g3: boolean };
  violate(s: Int32Array, code: number): void;
}

/**
 * Syscall entry with the instruction at `insIp` of the top frame: ghosts for G2/G3, then the
 * policy's entry check (b, c, d). ip_e is the address after the syscall instruction.
 */
export function syscallEntry(k: FixupKernel, s: Int32Array, t: number, insIp: number, name: string): void {
  const L = k.L;
  const p = k.policy;
  const lvl = k.level(s, t);
  const f = L.frame(t, lvl);
  const prog = k.programOf(s, t, lvl);
  const inCs = k.inRange(k.get(s, L.armed[f]!), prog, insIp);
  k.sink?.decide({ kind: 'syscall-entry', thread: t, name, inCs });
  const inSet = p.syscallSet.includes(name);
  const a = k.area(s, t);
  // A policy can only promise to catch the syscalls of a thread that registered an area: an
  // unregistered thread's rseq_cs is unknown to the kernel, so its syscall is no G3 case.
  const promised = a >= 0 && (p.syscallPolicy === 'b' || p.syscallPolicy === 'c' || p.syscallPolicy === "c'" || (p.syscallPolicy === 'd' && inSet));
  k.set(s, L.sysInCs[t]!, inCs ? 1 : 0);
  k.set(s, L.sysPromised[t]!, promised ? 1 : 0);
  const exitCheck = p.syscallPolicy === "c'" || (p.syscallPolicy === 'd' && inSet && p.syscallSetCheck === 'exit') || p.csValidation === 'debug-full';
  k.set(s, L.sysExitCheck[t]!, exitCheck ? 1 : 0);
  if (a < 0) return;
  const d = k.get(s, L.rseqCs[a]!);
  if (p.syscallPolicy === 'b') {
    if (d !== 0) k.kill(s, t, KillReason.syscallRseqCsSet);
    return;
  }
  const entryIpCheck = p.syscallPolicy === 'c' || (p.syscallPolicy === 'd' && inSet && p.syscallSetCheck === 'entry');
  if (entryIpCheck && d !== 0 && k.validateFull(s, t, d) && k.inRange(d, prog, insIp + 1)) k.kill(s, t, KillReason.syscallInCs);
}

/** The policy's check at syscall exit (c', d with exit check, L619 debug), with ip_x. */
export function syscallExitChecks(k: FixupKernel, s: Int32Array, t: number): void {
  const L = k.L;
  if (k.get(s, L.sysExitCheck[t]!) === 0) return;
  const a = k.area(s, t);
  // Stryker disable next-line ConditionalExpression: equivalent, with a < 0 L.rseqCs[a] is no field: d reads 0 and the next line returns
  if (a < 0) return;
  const d = k.get(s, L.rseqCs[a]!);
  if (d === 0) return;
  if (!k.validateFull(s, t, d)) return;
  const f = k.topFrame(s, t);
  if (k.inRange(d, k.programOf(s, t, k.level(s, t)), k.get(s, L.ip[f]!))) k.kill(s, t, KillReason.syscallInCs);
  else if (k.policy.csValidation === 'debug-full') k.lazyClear(s, t, a, d, 'syscall-exit');
}

/** The exit check of the syscall in progress, now (before a tracer's syscall-exit stop); it does not run again at its exit. */
export function syscallExitCheckNow(k: FixupKernel, s: Int32Array, t: number): void {
  syscallExitChecks(k, s, t);
  k.set(s, k.L.sysExitCheck[t]!, 0);
}

/** G3: the thread is back in user space after a syscall the policy promised to catch. */
export function finishSyscall(k: SyscallKernel, s: Int32Array, t: number): void {
  const L = k.L;
  if (k.ghosts.g3 && !k.killed(s) && k.get(s, L.sysInCs[t]!) === 1 && k.get(s, L.sysPromised[t]!) === 1) k.violate(s, Code.G3);
  k.set(s, L.sysInCs[t]!, 0);
  k.set(s, L.sysPromised[t]!, 0);
  k.set(s, L.sysExitCheck[t]!, 0);
}
