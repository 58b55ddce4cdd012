import { describe, expect, it } from 'vitest';
import { exploreDepthFirst } from '../../checker/depth-first.js';
import { explore } from '../../checker/explore.js';
import { replay } from '../../checker/replay.js';
import { counter } from './toy-systems.js';

describe('exploreDepthFirst', () => {
  it('stops at the first violation on its path of discovery, which replays', async () => {
    // Expanded in order 0, 1, 3, 4, 6, 7 (2, 5 and 8 are found first from 0, 3 and 6);
    // 7's +2 successor is 9.
    const sys = counter(20, 9);
    const r = await exploreDepthFirst(sys);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect(r.path.choices).toEqual([0, 0, 1, 0, 1, 0, 1]);
    expect(r.stats.states).toBe(10);
    expect(replay(sys, r.path.choices).map((s) => s.state[0])).toEqual([0, 1, 3, 4, 6, 7, 9]);
  });

  it('judges a state without successors by terminal, as explore does', async () => {
    // 0 -> 1 -> 3 -> 4 (its successor 5 was found from 3); 5 has no successors and is a bad end.
    const sys = counter(5, -1, 5);
    const r = await exploreDepthFirst(sys);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect(r.property).toBe('bad end');
    expect(r.path.choices).toEqual([0, 0, 1, 1]);
    expect((await explore(sys)).verdict).toBe('violation');
  });

  it('exhausts the space with the same states and transitions as breadth-first', async () => {
    const sys = counter(20, -1);
    const dfs = await exploreDepthFirst(sys);
    const bfs = await explore(sys);
    expect(dfs.verdict).toBe('pass');
    expect(dfs.stats.states).toBe(21);
    expect(dfs.stats.states).toBe(bfs.stats.states);
    expect(dfs.stats.transitions).toBe(bfs.stats.transitions);
    // Discovery path 0, 1, 3, 4, 6, ... 16, 18 (depth 12), whose successors 19 and 20 are at depth 13.
    expect(dfs.stats.depth).toBe(13);
  });

  it('reports incomplete (never pass) when the state bound stops it', async () => {
    const r = await exploreDepthFirst(counter(100_000, -1), { maxStates: 5000 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy).toEqual({ kind: 'states', bound: 5000 });
    expect(r.stats.states).toBeGreaterThanOrEqual(5000);
  });

  it('stops on an aborted signal as interrupted', async () => {
    const c = new AbortController();
    c.abort();
    const r = await exploreDepthFirst(counter(100_000, -1), { signal: c.signal });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy.kind).toBe('interrupted');
  });

  it('stops on the time bound', async () => {
    const r = await exploreDepthFirst(counter(100_000, -1), { maxSeconds: 0 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy).toEqual({ kind: 'time', bound: 0 });
  });
});
