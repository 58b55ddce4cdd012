/**
 * The explorer's own ceiling on a model: the same BFS with every successor replayed from memory
 * (recorded from the real system beforehand), so that generating successors costs only a copy.
 * What remains is the engine: buffering, hashing, the visited set, parent links, inspection.
 * The gap between this and a real run is what the model's successor function costs.
 */
import { explore } from '../checker/explore.js';
import { StateStore } from '../checker/state-store.js';
import type { TransitionSystem } from '../checker/transition-system.js';

/** A system that replays `real`'s successors, recorded per state in BFS order (the order `explore` expands). */
class ReplayedSystem implements TransitionSystem {
  readonly stateWords: number;
  private readonly words: Int32Array;
  private readonly labels: Int32Array;
  private readonly first: Int32Array;
  private expanded = 0;

  constructor(private readonly real: TransitionSystem) {
    const W = real.stateWords;
    this.stateWords = W;
    const store = new StateStore(W);
    const out = new Int32Array(W);
    const state = new Int32Array(W);
    real.initialStates(out, () => void store.insertIfAbsent(out, -1, 0));
    const words: number[] = [];
    const labels: number[] = [];
    const first = [0];
    for (let id = 0; id < store.count; id++) {
      store.load(id, state);
      real.successors(state, out, (label) => {
        store.insertIfAbsent(out, id, 0);
        for (let i = 0; i < W; i++) words.push(out[i]!);
        labels.push(label);
      });
      first.push(labels.length);
    }
    this.words = Int32Array.from(words);
    this.labels = Int32Array.from(labels);
    this.first = Int32Array.from(first);
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
  const replayed = new ReplayedSystem(real);
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
