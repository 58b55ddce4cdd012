import type { ModelIR } from '../ir/types.js';
import { labelKindNames, NUM_LABEL_KINDS } from './labels.js';

/**
 * Placement coverage counters: per instruction slot (program, IP; one past each program's end
 * included), how many transitions of each label kind were explored with the acting thread
 * there, and how many reached a violation. Instrumentation only: it never influences a verdict.
 */
export class PlacementCoverage {
  /** First slot of each program. */
  readonly base: Int32Array;
  /** Index: slot * NUM_LABEL_KINDS + label kind. */
  readonly events: Int32Array;
  readonly violations: Int32Array;

  constructor(ir: ModelIR) {
    this.base = new Int32Array(ir.programs.length);
    let total = 0;
    ir.programs.forEach((p, i) => {
      this.base[i] = total;
      total += p.code.length + 1;
    });
    this.events = new Int32Array(total * NUM_LABEL_KINDS);
    this.violations = new Int32Array(total);
  }

  /** The slot of instruction `ip` of program `prog`. */
  slot(prog: number, ip: number): number {
    return this.base[prog]! + ip;
  }

  /** Counts a transition of kind `kind` from `slot`, and whether it reached a violation. */
  count(slot: number, kind: number, violation: boolean): void {
    this.events[slot * NUM_LABEL_KINDS + kind]!++;
    if (violation) this.violations[slot]!++;
  }
}

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

/** What a coverage report reads of an explored system (an RseqSystem). */
export interface CoveredSystem {
  readonly ir: ModelIR;
  readonly coverage: PlacementCoverage;
  fusedAt(prog: number, ip: number): boolean;
}

/** The placement-coverage table of a finished exploration (plain JSON). */
export function coverageReport(sys: CoveredSystem): CoverageReport {
  const { events, violations } = sys.coverage;
  return {
    eventKinds: labelKindNames,
    programs: sys.ir.programs.map((p, pi) => ({
      name: p.name,
      instructions: p.code.map((_, ip) => {
        const at = sys.coverage.slot(pi, ip);
        const ev: Record<string, number> = {};
        for (let k = 0; k < NUM_LABEL_KINDS; k++) ev[labelKindNames[k]!] = events[at * NUM_LABEL_KINDS + k]!;
        return {
          index: ip,
          ...(p.labels[ip] ? { label: p.labels[ip] } : {}),
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
