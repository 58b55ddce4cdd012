import { LabelKind, NUM_LABEL_KINDS, type RseqSystem } from './rseq-system.js';

/** Event-kind names of the coverage table, in label-kind order. */
export const coverageEventNames: readonly string[] = Object.entries(LabelKind)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);

/** For each instruction: how often each kind of step was explored there, and violations arising. */
export interface CoverageReport {
  readonly eventKinds: readonly string[];
  readonly programs: readonly {
    readonly name: string;
    readonly instructions: readonly {
      readonly index: number;
      readonly label?: string;
      readonly text: string;
      /** Descriptors whose range [start, post_commit) contains this instruction. */
      readonly inCs: readonly string[];
      /** Transitions explored with the thread at this instruction, per event kind. */
      readonly events: Readonly<Record<string, number>>;
      /** Transitions from here that reached a violation. */
      readonly violations: number;
      /**
       * A purely local instruction that runs in the step of the one before it (partial-order
       * reduction): events before it are explored at the next instruction instead.
       */
      readonly fused?: boolean;
    }[];
  }[];
}

/** The placement-coverage table of a finished exploration (plain JSON). */
export function coverageReport(sys: RseqSystem): CoverageReport {
  const { base, events, violations } = sys.coverage;
  return {
    eventKinds: coverageEventNames,
    programs: sys.ir.programs.map((p, pi) => ({
      name: p.name,
      instructions: p.code.map((_, ip) => {
        const at = base[pi]! + ip;
        const ev: Record<string, number> = {};
        for (let k = 0; k < NUM_LABEL_KINDS; k++) ev[coverageEventNames[k]!] = events[at * NUM_LABEL_KINDS + k]!;
        return {
          index: ip,
          ...(p.labels[ip] ? { label: p.labels[ip]! } : {}),
          text: p.text[ip]!,
          inCs: sys.ir.descriptors.filter((d) => d.program === pi && ip >= d.start && ip < d.postCommit).map((d) => d.name),
          events: ev,
          violations: violations[at]!,
          ...(sys.fusedAt(pi, ip) ? { fused: true } : {}),
        };
      }),
    })),
  };
}
