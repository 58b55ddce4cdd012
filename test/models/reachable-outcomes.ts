/**
 * What a differential test compares between a reduced and an unreduced system: every reachable
 * inspect/terminal code and every memory of an all-finished state (up to CPU renamings), by a
 * plain BFS over the system, with its state count. With `canonicalStates`, the BFS also checks
 * that every state the system emits is its symmetry class's representative (putting it in order
 * again changes nothing), as the symmetry reductions promise.
 */
import { StateStore } from '../../checker/state-store.js';
import type { ModelIR } from '../../models/ir/types.js';
import { Status } from '../../models/kernel/layout.js';
import type { Policy } from '../../models/kernel/policy.js';
import { buildSystem, type BuildOptions } from '../../models/system/build.js';
import type { ReductionName } from '../../models/system/reductions.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { renamings } from './cpu-renamings.js';

/** Every reachable inspect/terminal code, and every memory vector of an all-finished state. */
export function outcomes(sys: RseqSystem, check: { canonicalStates?: boolean } = {}): { codes: string[]; finals: string[]; states: number } {
  const W = sys.stateWords;
  const store = new StateStore(W);
  const codes = new Set<number>();
  const finals = new Set<string>();
  const s = new Int32Array(W);
  const out = new Int32Array(W);
  sys.initialStates(out, () => void store.insertIfAbsent(out, -1, 0));
  const L = sys.layout;
  const k = sys.kernel;
  const canonical = new Int32Array(W);
  for (let id = 0; id < store.size; id++) {
    store.load(id, s);
    if (check.canonicalStates) {
      canonical.set(s);
      if (sys.symmetric) sys.sortThreads(canonical);
      if (canonical.some((w, i) => w !== s[i])) throw new Error(`state ${id} is not in canonical form`);
    }
    const code = sys.inspect(s);
    if (code !== 0) codes.add(code);
    let n = 0;
    sys.successors(s, out, () => {
      n++;
      store.insertIfAbsent(out, id, 0);
    });
    if (n === 0) {
      const t = sys.terminal(s);
      if (t !== 0) codes.add(t);
      const allDone = L.status.every((f) => [Status.Done, Status.Dormant].includes(k.get(s, f) as 0 | 4));
      // With the CPU symmetry one final memory stands for its renamings: compare classes.
      const mem = Array.from(L.mem, (f) => k.get(s, f));
      if (allDone) for (const m of renamings(sys.ir, mem)) finals.add(m.join(','));
    }
    if (store.size > 3_000_000) throw new Error('too large for a differential test');
  }
  return { codes: [...codes].sort((a, b) => a - b).map((c) => sys.codeName(c)), finals: [...finals].sort(), states: store.size };
}

type Outcomes = ReturnType<typeof outcomes>;

/** The outcomes of `ir` under `policy` with `options`, and the same with reduction `name` turned off too. */
export function withAndWithout(ir: ModelIR, policy: Policy, options: BuildOptions, name: ReductionName): { on: Outcomes; off: Outcomes } {
  return { on: outcomes(buildSystem(ir, policy, options)), off: outcomes(buildSystem(ir, policy, { ...options, disable: [...(options.disable ?? []), name] })) };
}
