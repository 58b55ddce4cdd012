/**
 * One search of a swarm (after SPIN's swarm verification): a depth-first search for a first
 * counterexample whose successor order is its own, so N searches on N machines cover the state
 * space in N different orders and one of them likely hits a bug early. Search 0 keeps the
 * system's order (it is `check --search dfs`), search 1 reverses it, the others shuffle it with
 * their seed; each stops at its own state budget.
 */
import { exploreDepthFirst } from '../../checker/depth-first.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import type { ModelIR } from '../../models/ir/types.js';
import { buildSystem } from '../../models/system/build.js';
import { coverageReport, type CoverageReport } from '../../models/system/coverage.js';
import type { CheckOptions } from '../options.js';

/** What a swarm search found. */
export interface SwarmOutcome {
  readonly search: number;
  /** The first counterexample's property and length in steps, if any. */
  readonly found?: { readonly property: string; readonly steps: number };
  /** The search stored every reachable state and found nothing (a swarm still reports no pass). */
  readonly exhausted: boolean;
  /** The search stopped at --max-memory, not at its state budget. */
  readonly outOfMemory?: boolean;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly coverage: CoverageReport;
}

/** A small seeded generator (mulberry32): the same seed, the same order. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `sys` with each state's successors emitted in the order of search `search` (0: unchanged). */
export function reordered(sys: TransitionSystem, search: number): TransitionSystem {
  if (search === 0) return sys;
  const words = sys.stateWords;
  const random = generator(0x9e3779b9 ^ search);
  let buffer = new Int32Array(words * 64);
  const labels: number[] = [];
  const order: number[] = [];
  return {
    stateWords: words,
    initialStates: (out, emit) => sys.initialStates(out, emit),
    inspect: (s) => sys.inspect(s),
    terminal: (s) => sys.terminal(s),
    codeName: (c) => sys.codeName(c),
    ...(sys.tieCost ? { tieCost: (l: number) => sys.tieCost!(l) } : {}),
    successors(state, out, emit) {
      labels.length = 0;
      sys.successors(state, out, (label) => {
        if ((labels.length + 1) * words > buffer.length) {
          const grown = new Int32Array(buffer.length * 2);
          grown.set(buffer);
          buffer = grown;
        }
        buffer.set(out, labels.length * words);
        labels.push(label);
      });
      const n = labels.length;
      order.length = n;
      for (let i = 0; i < n; i++) order[i] = search === 1 ? n - 1 - i : i;
      if (search > 1)
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      for (const k of order) {
        out.set(buffer.subarray(k * words, (k + 1) * words));
        if (emit(labels[k]!) === true) return;
      }
    },
  };
}

/** Runs search `search` of a swarm over `ir` with at most `maxStates` states. */
export async function swarmSearch(ir: ModelIR, options: CheckOptions, search: number, maxStates: number, signal?: AbortSignal): Promise<SwarmOutcome> {
  const sys = buildSystem(ir, resolvePolicy(options.policy, options.knobs), options);
  const raw = await exploreDepthFirst(reordered(sys, search), {
    maxStates,
    ...(signal ? { signal } : {}),
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
  });
  const { states, transitions, depth, seconds } = raw.stats;
  return {
    search,
    ...(raw.verdict === 'violation' ? { found: { property: raw.property, steps: raw.path.choices.length - 1 } } : {}),
    exhausted: raw.verdict === 'pass',
    ...(raw.verdict === 'incomplete' && raw.stoppedBy.kind === 'memory' ? { outOfMemory: true } : {}),
    states,
    transitions,
    depth,
    seconds,
    coverage: coverageReport(sys),
  };
}

/** The union of several searches' coverage of one model: counts add up (a zero: no search explored it). */
export function coverageUnion(reports: readonly CoverageReport[]): CoverageReport {
  const [first, ...rest] = reports;
  if (!first) throw new Error('coverageUnion needs at least one report');
  return {
    eventKinds: first.eventKinds,
    programs: first.programs.map((p, pi) => ({
      ...p,
      instructions: p.instructions.map((ins, ii) => {
        const others = rest.map((r) => r.programs[pi]!.instructions[ii]!);
        const events: Record<string, number> = {};
        for (const k of Object.keys(ins.events)) events[k] = others.reduce((sum, o) => sum + (o.events[k] ?? 0), ins.events[k]!);
        return { ...ins, events, violations: others.reduce((sum, o) => sum + o.violations, ins.violations) };
      }),
    })),
  };
}
