/**
 * What an exploration found: the violating state that ends the run and a witness per flag,
 * each chosen by one rule (least BFS depth, then the smaller packed state) so that the
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
  violation: Candidate | undefined;
  readonly flags = new Map<number, Candidate & { count: number }>();

  /** `compare(a, b)` orders stored states word by word (negative: `a` sorts first). */
  constructor(private readonly compare: (a: number, b: number) => number) {}

  private better(id: number, depth: number, than: Candidate): boolean {
    // Stryker disable next-line EqualityOperator: equivalent, compare is 0 only for the same state, noted again with the same code
    return depth < than.depth || (depth === than.depth && this.compare(id, than.id) < 0);
  }

  /** Records the code of a state inserted (or, for `terminal`, expanded) at `depth`. */
  note(id: number, code: number, depth: number): void {
    if (code > 0) {
      if (!this.violation || this.better(id, depth, this.violation)) this.violation = { id, code, depth };
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
