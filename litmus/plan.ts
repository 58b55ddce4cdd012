/**
 * How a model that comes without a plan (a MODEL, not a suite case) is run: its injected events
 * and delays, and the model-side budgets at least as permissive as such a run.
 */
import type { EventKind, ModelIR } from '../models/ir/types.js';
import type { Delay, LitmusPlan } from './generate.js';

/** Model-side budgets at least as permissive as a run of `plan`. */
export function budgetsForPlan(ir: ModelIR, plan: LitmusPlan): Partial<Record<EventKind, number | 'unbounded'>> {
  const migratable = ir.threads.some((t) => t.allowed.length > 1);
  const handlers = ir.threads.some((t) => t.handler >= 0);
  return { preemptions: 'unbounded', interrupts: 'unbounded', traps: 'unbounded', migrations: migratable ? 'unbounded' : 0, signals: handlers ? plan.signals : 0 };
}

/**
 * The plan for a model that comes without one: a 300 µs delay before every instruction inside
 * a c.s. range (the selftests' inject points), the model's signal budget (at most 3; 1 when it
 * is unbounded) if a thread has a handler, and 4 migrations when a thread may move.
 */
export function planForModel(ir: ModelIR): LitmusPlan {
  const delays: Delay[] = [];
  for (const d of ir.descriptors)
    for (let i = d.start; i < d.postCommit; i++) if (!delays.some((x) => x.program === ir.programs[d.program]!.name && x.at === i)) delays.push({ program: ir.programs[d.program]!.name, at: i, us: 300 });
  const handlers = ir.threads.some((t) => t.handler >= 0);
  const signals = !handlers ? 0 : ir.budgets.signals < 0 ? 1 : Math.min(3, ir.budgets.signals);
  const perThread = Math.max(1, ...ir.programs.map((p, pi) => delays.filter((d) => d.program === p.name).length * 300 * (ir.threads.some((t) => t.program === pi) ? 1 : 0)));
  return {
    signals,
    migrations: ir.threads.some((t) => t.allowed.length > 1) ? 4 : 0,
    windowUs: 2 * perThread,
    competitors: true,
    delays,
    runTimeoutSeconds: 10,
  };
}
