/**
 * What an exploration found: the violating state that ends the run (least BFS depth, then least
 * path cost, then the smaller packed state) and a witness per flag (least depth, then the
 * smaller packed state), each chosen by a rule on the states themselves so that the
 * sequential explorer and every parallel worker pick the same one whatever the order of
 * expansion (see `Exploration` in explore.ts).
 */

/** A state that ends the run or carries a flag, with the BFS depth it was found at. */
export interface Candidate {
  id: number;
  code: number;
  depth: number;
}

export class Findings {
  /**
   * The violating states of least depth. A state found at depth d + 1 may still get a cheaper
   * path while level d is expanded, so the one that ends the run is picked from all of them
   * when asked (`violation`), after the level.
   */
  private candidates: Candidate[] = [];
  readonly flags = new Map<number, Candidate & { count: number }>();

  /**
   * `compare(a, b)` orders stored states word by word (negative: `a` sorts first); `cost(id)`
   * is the tie cost of the path to a state (kernel events: see Exploration).
   */
  constructor(
    private readonly compare: (a: number, b: number) => number,
    private readonly cost: (id: number) => number = () => 0,
  ) {}

  private better(id: number, depth: number, than: Candidate): boolean {
    // Stryker disable next-line EqualityOperator: equivalent, compare is 0 only for the same state, noted again with the same code
    return depth < than.depth || (depth === than.depth && this.compare(id, than.id) < 0);
  }

  /** Whether a violating state was noted. */
  get violated(): boolean {
    return this.candidates.length > 0;
  }

  /** The violating states of least depth noted. */
  get violations(): readonly Candidate[] {
    return this.candidates;
  }

  /** The violating state that ends the run: least depth, then least path cost, then the smaller packed state. */
  get violation(): Candidate | undefined {
    let best: Candidate | undefined;
    let bestCost = 0;
    for (const c of this.candidates) {
      const cost = this.cost(c.id);
      if (!best || cost < bestCost || (cost === bestCost && this.compare(c.id, best.id) < 0)) {
        best = c;
        bestCost = cost;
      }
    }
    return best;
  }

  /** Takes over what a stopped run had found (see checker/checkpoint.ts). */
  restore(violations: readonly Candidate[], flags: readonly (Candidate & { count: number })[]): void {
    this.candidates = violations.map((v) => ({ ...v }));
    this.flags.clear();
    for (const f of flags) this.flags.set(f.code, { ...f });
  }

  /** Records the code of a state inserted (or, for `terminal`, expanded) at `depth`. */
  note(id: number, code: number, depth: number): void {
    if (code > 0) {
      const least = this.candidates[0]?.depth;
      if (least === undefined || depth < least) this.candidates = [{ id, code, depth }];
      else if (depth === least) this.candidates.push({ id, code, depth });
    } else if (code < 0) this.noteFlag(code, 1, id, depth);
  }

  /** Adds `count` states flagged with `code`, of which `id` (at `depth`) is the best witness. */
  noteFlag(code: number, count: number, id: number, depth: number): void {
    const f = this.flags.get(code);
    if (!f) this.flags.set(code, { code, count, id, depth });
    else {
      f.count += count;
      if (this.better(id, depth, f)) {
        f.id = id;
        f.depth = depth;
      }
    }
  }
}
