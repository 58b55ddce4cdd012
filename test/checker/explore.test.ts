import { describe, expect, it } from 'vitest';
import { Exploration, expandInProcess, explore } from '../../checker/explore.js';
import { replay } from '../../checker/replay.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { counter, drawnGraph } from './toy-systems.js';

describe('explore', () => {
  it('finds a shortest path to a violation and the path replays', async () => {
    const sys = counter(20, 9);
    const r = await explore(sys);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect(r.path.choices.length - 1).toBe(5); // 2+2+2+2+1
    const steps = replay(sys, r.path.choices);
    expect(steps.at(-1)!.state[0]).toBe(9);
  });

  it('passes when nothing is violated, counting every state', async () => {
    const r = await explore(counter(20, -1));
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(21);
  });

  it('reports incomplete (never pass) when a limit stops it', async () => {
    const r = await explore(counter(100_000, -1), { maxStates: 5000 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy).toEqual({ kind: 'states', bound: 5000 });
  });

  it('stops on an aborted signal as interrupted', async () => {
    const c = new AbortController();
    c.abort();
    const r = await explore(counter(100_000, -1), { signal: c.signal });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy.kind).toBe('interrupted');
  });

  it('counts and logs a transition that changes nothing as a self-loop of its state', async () => {
    // Steps +0 (a self-loop), +1 and +2 from every value of 0..20.
    const base = counter(20, -1);
    const sys: TransitionSystem = {
      ...base,
      successors(s, out, emit) {
        out[0] = s[0]!;
        if (emit(0)) return;
        base.successors(s, out, emit);
      },
    };
    const x = new Exploration(sys, {});
    await expandInProcess(x);
    const r = x.result();
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(21);
    expect(r.stats.transitions).toBe(21 + 20 + 19);
  });

  it('prefers a shallower end-state violation to a deeper one found on inspection, whatever the packed order', async () => {
    // 0 -> 5 and 0 -> 1 -> 2. State 5 has no successors and `terminal` rejects it (depth 1);
    // state 2 is rejected by `inspect` when inserted while level 1 is expanded (depth 2). Both
    // are found in the same level, and 2 sorts before 5: only the depths tell them apart.
    const sys = drawnGraph((s) => (s === 0 ? [[5, 5], [1, 1]] : s === 1 ? [[2, 2]] : []), {
      inspect: (s) => (s[0] === 2 ? 1 : 0),
      terminal: (s) => (s[0] === 5 ? 2 : 0),
      codeName: (c) => (c === 1 ? 'inspected' : c === 2 ? 'end' : 'ok'),
    });
    const r = await explore(sys);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect([r.code, r.property]).toEqual([2, 'end']);
    expect(r.path.choices).toEqual([0, 0]);
    expect(replay(sys, r.path.choices).map((step) => step.state[0])).toEqual([0, 5]);
    expect([r.stats.states, r.stats.depth]).toEqual([4, 1]);
  });
});

