/**
 * Every counterexample found with the reductions on (symmetry off: symmetric traces are
 * concretized by models/system/concretize.ts) replays in the unreduced system: following its
 * labels (kind and acting thread) step by step, with the steps the reductions skip filled in
 * (fused local instructions of the acting thread, migrations of ready threads a floating thread
 * does without), the unreduced system reaches a state with the same violation code.
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import { StateStore } from '../../checker/state-store.js';
import type { ModelIR } from '../../models/ir/types.js';
import { Status } from '../../models/kernel/layout.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { resolveModel } from '../../models/library/resolve.js';
import { decodeLabel, LabelKind } from '../../models/system/labels.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { buildSystem, resolvePolicy } from '../../run/check.js';
import { compile } from './semantics-helpers.js';

/** Shortest path (choices) to the first state of each violation code, by breadth-first search. */
function firstViolations(sys: RseqSystem): Map<number, number[]> {
  const store = new StateStore(sys.stateWords);
  const s = new Int32Array(sys.stateWords);
  const out = new Int32Array(sys.stateWords);
  const found = new Map<number, number[]>();
  let i = 0;
  sys.initialStates(out, () => void store.insertIfAbsent(out, -1, i++));
  for (let id = 0; id < store.size; id++) {
    store.load(id, s);
    const code = sys.inspect(s);
    if (code > 0 && !found.has(code)) found.set(code, store.pathTo(id));
    let n = 0;
    sys.successors(s, out, () => void store.insertIfAbsent(out, id, n++));
    const end = n === 0 ? sys.terminal(s) : 0;
    if (end > 0 && !found.has(end)) found.set(end, store.pathTo(id));
  }
  return found;
}

type Frontier = Map<string, Int32Array>;

function successorsOf(sys: RseqSystem, s: Int32Array, take: (kind: number, thread: number, next: Int32Array) => boolean): Int32Array[] {
  const out = new Int32Array(sys.stateWords);
  const picked: Int32Array[] = [];
  sys.successors(s, out, (label) => {
    const { kind, thread } = decodeLabel(label);
    if (take(kind, thread, out)) picked.push(out.slice());
  });
  return picked;
}

/** Adds every state reachable from `f` by steps `take` accepts (a bounded closure). */
function close(sys: RseqSystem, f: Frontier, take: (s: Int32Array, kind: number, thread: number) => boolean): Frontier {
  const all = new Map(f);
  let layer = [...f.values()];
  for (let depth = 0; depth < 6 && layer.length > 0; depth++) {
    const next: Int32Array[] = [];
    for (const s of layer)
      for (const n of successorsOf(sys, s, (kind, thread) => take(s, kind, thread))) {
        const key = n.join(',');
        if (!all.has(key)) {
          all.set(key, n);
          next.push(n);
        }
      }
    layer = next;
  }
  if (all.size > 200_000) throw new Error('frontier too large');
  return all;
}

/** Whether the unreduced system reaches `code` along the reduced path `choices`. */
function replaysUnreduced(reduced: RseqSystem, full: RseqSystem, choices: readonly number[], code: number): boolean {
  const steps = replay(reduced, choices);
  const k = full.kernel;
  const L = full.layout;
  let frontier: Frontier = new Map();
  const out = new Int32Array(full.stateWords);
  full.initialStates(out, () => void frontier.set(out.join(','), out.slice()));
  const readyMigration = (s: Int32Array, kind: number, thread: number): boolean => kind === LabelKind.migrate && k.get(s, L.status[thread]!) === Status.Ready;
  for (const step of steps.slice(1)) {
    const want = decodeLabel(step.label!);
    frontier = close(full, frontier, readyMigration);
    const next: Frontier = new Map();
    for (const s of frontier.values())
      for (const n of successorsOf(full, s, (kind, thread) => kind === want.kind && thread === want.thread)) next.set(n.join(','), n);
    const fusedStep = (s: Int32Array, kind: number, thread: number): boolean => {
      if (thread !== want.thread || kind !== LabelKind.instruction || k.get(s, L.status[thread]!) !== Status.Running) return false;
      return reduced.fusedAt(k.programOf(s, thread, k.level(s, thread)), k.get(s, L.ip[k.topFrame(s, thread)]!));
    };
    frontier = close(full, next, fusedStep);
    if (frontier.size === 0) return false;
  }
  for (const s of frontier.values()) {
    if (full.inspect(s) === code) return true;
    if (successorsOf(full, s, () => true).length === 0 && full.terminal(s) === code) return true;
  }
  return false;
}

const plain = resolveModel('plain-counter', ['threads=2', 'ops=1']);
const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=1']);
const cases: [string, ModelIR, string, string[]][] = [
  ['plain-counter 2x1', plain.ir, 'linux-6.3', []],
  ['percpu-counter 2x1+1', counter.ir, 'linux-6.3', ['abortOnMigrate=false']],
  ['percpu-counter 2x1+1', counter.ir, 'linux-4.18', ['abortOnSignal=false']],
  // abort-pending-unsignalled merges where signals do not abort, once the signal is spent.
  ['percpu-counter 2x1+1', counter.ir, 'linux-6.3', ['abortOnSignal=false']],
  ...gallery.map((g) => [`gallery ${g.name}`, compile(g.model), g.policy, g.bugKnobs] as [string, ModelIR, string, string[]]),
];

describe('counterexamples found with reductions replay in the unreduced system', () => {
  let checked = 0;
  for (const [name, ir, preset, knobs] of cases) {
    it(`${name} under ${preset}${knobs.length ? ` + ${knobs.join(' ')}` : ''}`, () => {
      const pol = resolvePolicy(preset, knobs);
      const options = { properties: ['all'], symmetry: false, constants: { threads: ir.threads.length, ops: 1, cpus: ir.cpus.length, signals: 1 } };
      const reduced = buildSystem(ir, pol, options);
      const full = buildSystem(ir, pol, { ...options, reduce: false });
      const violations = firstViolations(reduced);
      for (const [code, choices] of violations) {
        expect({ code: reduced.codeName(code), replays: replaysUnreduced(reduced, full, choices, code) }).toEqual({ code: reduced.codeName(code), replays: true });
        checked++;
      }
    });
  }
  it('checked counterexamples of every case', () => expect(checked).toBe(CHECKED_COUNTEREXAMPLES));
});

const CHECKED_COUNTEREXAMPLES = 21;
