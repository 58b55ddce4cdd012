/**
 * The nested DFS (no fairness) honours the abort signal and the clock, not only maxStates: on a
 * chain 0 -> 1 -> ... -> n-1 (a deadlock at the end) with a one-state, non-accepting automaton,
 * the product is the chain itself, every expansion stores exactly one new state and follows one
 * edge, and the limits are checked at the first expansion and then every 1024 expansions.
 */
import { describe, expect, it } from 'vitest';
import { searchAcceptingCycle } from '../../checker/graph/cycles.js';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import { chain } from './toy-systems.js';

/** The chain 0 -> 1 -> ... -> 4999: 5000 states, a deadlock at the end. */
const chain5000 = chain(4999);

/** One automaton state, never accepting: no cycle is ever a counterexample. */
const never: ProductSpec = { buchiStates: 1, initial: [0], accepting: [false], step: (_q, _s, emit) => emit(0) };

describe('searchAcceptingCycle: the limits besides maxStates', () => {
  it('covers the whole chain without limits (pass, 5000 states)', async () => {
    // 4999 chain edges, and the stutter of the deadlocked last state.
    expect(await searchAcceptingCycle(chain5000, never)).toEqual({ verdict: 'pass', states: 5000, transitions: 5000 });
  });

  it('an aborted signal stops it at the first check: the root and its successor stored, no edge followed', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    expect(await searchAcceptingCycle(chain5000, never, { signal: controller.signal })).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted' }, states: 2, transitions: 0 });
  });

  it('a signal aborted during the search stops it at the next check, 1024 expansions later', async () => {
    const controller = new AbortController();
    // The first check (after the root's expansion, 2 states) reports progress: abort there.
    const r = await searchAcceptingCycle(chain5000, never, { signal: controller.signal, onProgress: () => controller.abort() });
    expect(r).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted' }, states: 2 + 1024, transitions: 1024 });
  });

  it('--max-seconds 0 stops it at the first check, as the time limit', async () => {
    expect(await searchAcceptingCycle(chain5000, never, { maxSeconds: 0 })).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'time', bound: 0 }, states: 2, transitions: 0 });
  });
});
