import type { BudgetsIR } from '../ir/types.js';
import type { RseqLayout } from '../kernel/layout.js';
import type { KernelSemantics } from '../kernel/semantics.js';

/** The environment's event budgets, by index (the order of RseqLayout.budget). */
export const Budget = {
  preempt: 0,
  migrate: 1,
  signal: 2,
  interrupt: 3,
  trap: 4,
} as const;

const budgetKinds = ['preemptions', 'migrations', 'signals', 'interrupts', 'traps'] as const;

/** What is left of each event budget in a state (a negative bound: unbounded, not stored). */
export class EventBudgets {
  private readonly bound: readonly number[];
  private readonly L: RseqLayout;

  constructor(
    budgets: BudgetsIR,
    private readonly kernel: KernelSemantics,
  ) {
    this.bound = budgetKinds.map((k) => budgets[k]);
    this.L = kernel.L;
  }

  /** Gives `out` every bounded budget in full. */
  fill(out: Int32Array): void {
    this.bound.forEach((v, i) => {
      if (v >= 0) this.kernel.set(out, this.L.budget[i]!, v);
    });
  }

  /** Bit i set when budget i is unbounded or has some left in `s` (read once per state being expanded). */
  left(s: Int32Array): number {
    let mask = 0;
    for (let i = 0; i < budgetKinds.length; i++) if (this.bound[i]! < 0 || this.kernel.get(s, this.L.budget[i]!) > 0) mask |= 1 << i;
    return mask;
  }

  /** Spends one event of budget i in `s`. */
  spend(s: Int32Array, i: number): void {
    if (this.bound[i]! >= 0) this.kernel.set(s, this.L.budget[i]!, this.kernel.get(s, this.L.budget[i]!) - 1);
  }
}
