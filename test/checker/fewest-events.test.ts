/**
 * Among the shortest counterexamples, the breadth-first explorer returns one with the least
 * tie cost (kernel events, for the rseq system): a state reached again within its level by a
 * cheaper path is relinked, and the violating state is picked by depth, then cost.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import { Findings } from '../../checker/findings.js';
import { StateStore } from '../../checker/state-store.js';
import { eventDiamond } from './toy-systems.js';

describe('shortest counterexample with the fewest events', () => {
  it('relinks a state of the next level to the cheaper of two shortest paths', async () => {
    const r = await explore(eventDiamond());
    expect(r.verdict).toBe('violation');
    // Initial state 0, then successor 1 of state 0 (to 2, no event), then successor 0 of 2.
    // The first path found, [0, 0, 0] through the event, costs 1.
    expect(r.verdict === 'violation' && r.path.choices).toEqual([0, 1, 0]);
  });

  it('the cheaper link carries on to deeper states (an end-state violation)', async () => {
    const r = await explore(eventDiamond(true));
    expect(r.verdict === 'violation' && [r.property, r.path.choices]).toEqual(['bad end', [0, 1, 0, 0]]);
  });

  it('without tie costs the first path found stays', async () => {
    const { tieCost: _, ...plain } = eventDiamond();
    const r = await explore(plain);
    expect(r.verdict === 'violation' && r.path.choices).toEqual([0, 0, 0]);
  });

  it('offerParent relinks only to a strictly cheaper path', () => {
    const store = new StateStore(1);
    store.insertIfAbsent(Int32Array.of(0), -1, 0);
    store.insertHashed(Int32Array.of(1), 0, 0, 0, 0, 3);
    store.offerParent(1, 0, 5, 3);
    expect([store.choiceOf(1), store.eventsOf(1)]).toEqual([0, 3]);
    store.offerParent(1, 0, 5, 2);
    expect([store.choiceOf(1), store.eventsOf(1)]).toEqual([5, 2]);
  });

  it('picks the violation of least depth, then least cost, then the smaller state', () => {
    const cost = new Map([[7, 2], [9, 1], [6, 1], [8, 5]]);
    const f = new Findings((a, b) => a - b, (id) => cost.get(id) ?? 0);
    f.note(7, 1, 3);
    f.note(9, 1, 3);
    expect(f.violation).toEqual({ id: 9, code: 1, depth: 3 });
    f.note(6, 2, 3);
    expect(f.violation).toEqual({ id: 6, code: 2, depth: 3 });
    // Costs are read when asked: a state relinked after it was noted is judged by its new cost.
    cost.set(7, 0);
    expect(f.violation).toEqual({ id: 7, code: 1, depth: 3 });
    f.note(8, 1, 2);
    expect(f.violation).toEqual({ id: 8, code: 1, depth: 2 });
  });
});
