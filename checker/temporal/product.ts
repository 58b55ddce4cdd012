/**
 * The product of a transition system with a Büchi automaton, as a transition system itself, so
 * that the ordinary (sequential or parallel) explorer can build it. A product state is the
 * system state followed by one word, the automaton state q that has read it. A system state
 * without successors stutters: its product successors keep the system state (label STUTTER).
 */
import type { ProductSpec } from '../graph/cycles.js';
import type { TransitionSystem } from '../transition-system.js';

/** Label (and system choice) of a stutter step. */
export const STUTTER = -1;

export class ProductSystem implements TransitionSystem {
  readonly stateWords: number;
  private readonly W: number;
  private readonly sys: Int32Array;
  private readonly sysOut: Int32Array;
  private readonly succIn: Int32Array;
  private readonly succOut: Int32Array;

  constructor(
    readonly system: TransitionSystem,
    readonly spec: ProductSpec,
  ) {
    this.W = system.stateWords;
    this.stateWords = this.W + 1;
    this.sys = new Int32Array(this.W);
    this.sysOut = new Int32Array(this.W);
    this.succIn = new Int32Array(this.W);
    this.succOut = new Int32Array(this.W);
  }

  initialStates(out: Int32Array, emit: () => void): void {
    const W = this.W;
    const s = new Int32Array(W);
    this.system.initialStates(s, () => {
      for (const q0 of this.spec.initial)
        this.spec.step(q0, s, (q) => {
          out.set(s);
          out[W] = q;
          emit();
        });
    });
  }

  successors(state: Int32Array, out: Int32Array, emit: (label: number) => boolean | void): void {
    const W = this.W;
    const s = this.succIn;
    const sOut = this.succOut;
    s.set(state.subarray(0, W));
    const q = state[W]!;
    let any = false;
    this.system.successors(s, sOut, (label) => {
      any = true;
      this.spec.step(q, sOut, (q2) => {
        out.set(sOut);
        out[W] = q2;
        emit(label);
      });
    });
    if (!any)
      this.spec.step(q, s, (q2) => {
        out.set(s);
        out[W] = q2;
        emit(STUTTER);
      });
  }

  inspect(): number {
    return 0;
  }
  terminal(): number {
    return 0;
  }
  codeName(code: number): string {
    return this.system.codeName(code);
  }

  /** Whether product state `s` is accepting. */
  accepting(s: Int32Array): boolean {
    return this.spec.accepting[s[this.W]!] === true;
  }

  /** The system part of product state `s`, copied into `out`. */
  systemState(s: Int32Array, out: Int32Array): Int32Array {
    out.set(s.subarray(0, this.W));
    return out;
  }

  /**
   * The system choice behind product successor `choice` of product state `state` (STUTTER for
   * a stutter step): the index of the system successor it extends.
   */
  systemChoice(state: Int32Array, choice: number): number {
    return this.follow(state, choice, undefined);
  }

  /** `systemChoice`, also writing the product successor itself into `next` when given. */
  private follow(state: Int32Array, choice: number, next: Int32Array | undefined): number {
    const W = this.W;
    const s = this.sys;
    s.set(state.subarray(0, W));
    const q = state[W]!;
    let k = 0;
    let sysIndex = -1;
    let found = STUTTER;
    let any = false;
    const take = (from: Int32Array, q2: number, sysChoice: number): void => {
      if (k++ !== choice) return;
      found = sysChoice;
      if (next) {
        next.set(from);
        next[W] = q2;
      }
    };
    this.system.successors(s, this.sysOut, () => {
      any = true;
      const mine = ++sysIndex;
      this.spec.step(q, this.sysOut, (q2) => take(this.sysOut, q2, mine));
    });
    if (!any) this.spec.step(q, s, (q2) => take(s, q2, STUTTER));
    return found;
  }

  /**
   * A product choice path (initial index, then successor indices) as the system's choice path,
   * stutter steps left out: what replay.ts re-executes.
   */
  systemPath(choices: readonly number[]): number[] {
    if (choices.length === 0) return [];
    const W = this.W;
    // The initial product state: find which system initial state it extends.
    let k = 0;
    let sysInit = -1;
    let found = -1;
    const cur = new Int32Array(this.stateWords);
    const s = new Int32Array(W);
    this.system.initialStates(s, () => {
      sysInit++;
      for (const q0 of this.spec.initial)
        this.spec.step(q0, s, (q) => {
          if (k++ === choices[0]) {
            found = sysInit;
            cur.set(s);
            cur[W] = q;
          }
        });
    });
    const path = [found];
    const next = new Int32Array(this.stateWords);
    for (let i = 1; i < choices.length; i++) {
      const c = this.follow(cur, choices[i]!, next);
      cur.set(next);
      if (c !== STUTTER) path.push(c);
    }
    return path;
  }
}
