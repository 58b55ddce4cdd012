/**
 * The explorer's own ceiling on a model: the same BFS with every successor replayed from memory
 * (recorded from the real system beforehand), so that generating successors costs only a copy.
 * What remains is the engine: buffering, hashing, the visited set, parent links, inspection.
 * The gap between this and a real run is what the model's successor function costs.
 */
import { explore } from '../checker/explore.js';
import type { TransitionSystem } from '../checker/transition-system.js';

/**
 * A system that replays `real`'s successors, recorded per state while `explore` runs `real`
 * (a sequential exploration expands states in id order, as the replay will).
 */
class ReplayedSystem implements TransitionSystem {
  readonly stateWords: number;
  private expanded = 0;

  private constructor(
    private readonly real: TransitionSystem,
    /** Successor j's words at [j * stateWords, (j + 1) * stateWords), its label at j. */
    private readonly words: Int32Array,
    private readonly labels: Int32Array,
    /** State i's successors are j in [first[i], first[i + 1]). */
    private readonly first: Int32Array,
  ) {
    this.stateWords = real.stateWords;
  }

  /** Explores `real` once, recording every successor in expansion order. */
  static async record(real: TransitionSystem): Promise<ReplayedSystem> {
    const W = real.stateWords;
    const words: number[] = [];
    const labels: number[] = [];
    const first = [0];
    const recorder: TransitionSystem = {
      stateWords: W,
      initialStates: (out, emit) => real.initialStates(out, emit),
      successors: (state, out, emit) => {
        real.successors(state, out, (label) => {
          for (let i = 0; i < W; i++) words.push(out[i]!);
          labels.push(label);
          return emit(label);
        });
        first.push(labels.length);
      },
      inspect: (state) => real.inspect(state),
      terminal: (state) => real.terminal(state),
      codeName: (code) => real.codeName(code),
    };
    await explore(recorder, {});
    return new ReplayedSystem(real, Int32Array.from(words), Int32Array.from(labels), Int32Array.from(first));
  }

  initialStates(out: Int32Array, emit: () => void): void {
    this.expanded = 0;
    this.real.initialStates(out, emit);
  }
  successors(_state: Int32Array, out: Int32Array, emit: (label: number) => boolean | void): void {
    const W = this.stateWords;
    const id = this.expanded++;
    for (let j = this.first[id]!; j < this.first[id + 1]!; j++) {
      for (let i = 0; i < W; i++) out[i] = this.words[j * W + i]!;
      if (emit(this.labels[j]!)) return;
    }
  }
  inspect(state: Int32Array): number {
    return this.real.inspect(state);
  }
  terminal(state: Int32Array): number {
    return this.real.terminal(state);
  }
  codeName(code: number): string {
    return this.real.codeName(code);
  }
}

/** Fastest of `runs` explorations of `real` with replayed successors: states and seconds. */
export async function explorerCeiling(real: TransitionSystem, runs: number): Promise<{ states: number; seconds: number }> {
  const replayed = await ReplayedSystem.record(real);
  let best = Infinity;
  let states = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const result = await explore(replayed, {});
    best = Math.min(best, (performance.now() - t0) / 1000);
    states = result.stats.states;
  }
  return { states, seconds: best };
}
