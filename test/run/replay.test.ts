import { describe, expect, it } from 'vitest';
import { check, replay } from '../../index.js';
import { InputErrors } from '../../models/ir/errors.js';

const tiny = 'test/cli/good-tiny.json';
const broken = ['abortOnPreempt=false', 'abortOnMigrate=false'];

describe('replay (library): a counterexample token back to its violation', () => {
  it('replays the shortest counterexample of a check to the same property, step for step', async () => {
    const r = await check(tiny, { knobs: broken, search: 'bfs', workers: 1 });
    if (r.verdict !== 'violation') throw new Error('expected a violation');
    const back = replay(tiny, r.trace.replay, { knobs: broken });
    expect(back.verdict).toBe('violation');
    if (back.verdict !== 'violation') return;
    expect(back.property).toBe(r.property);
    expect(back.trace.steps.map((s) => s.text)).toEqual(r.trace.steps.map((s) => s.text));
  });

  it('names the step that does not apply', () => {
    // The initial state of good-tiny has 6 successors under this policy (as the checker computes them).
    expect(() => replay(tiny, '0:9', { knobs: broken })).toThrow(InputErrors);
    expect(() => replay(tiny, '0:9', { knobs: broken })).toThrow(/step 1 does not apply: the state after step 0 has 6 successors, the token asks for successor 9/);
  });
});
