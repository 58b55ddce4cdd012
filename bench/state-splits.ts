/**
 * Which pieces of the state split it: `node dist/bench/state-splits.js [MODEL] [--param k=v]...
 * [--policy P] [--knob k=v]... [--no-reduce] [--no-symmetry]` explores the model breadth-first
 * (sequentially, with the check's reductions) and, for each group of layout fields (a field name
 * without its thread, frame or cell index: `reg` is every register of every thread), prints how
 * many distinct values the group takes over the reachable states and how many distinct states
 * remain when the group is projected away (set to 0). A big drop means that piece of state
 * multiplies the state count; a diagnostic for issue #15, not a check.
 *
 * Projection is applied to the stored (canonical) states without re-canonicalising, so the
 * "without" column is an upper bound of what forgetting the group entirely would give.
 * Defaults to the SPIN peer question with ops=1 (ops=2 is 6 M states and needs a few GB here).
 */
import { StateStore } from '../checker/state-store.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { checkPolicy, resolveModel } from '../models/library/resolve.js';
import { buildSystem } from '../models/system/build.js';

const DEFAULT_ARGS = ['percpu-counter', '--param', 'threads=3', '--param', 'ops=1', '--param', 'signals=1', '--param', 'cpus=2', '--policy', 'linux-6.3'];

interface Args {
  model: string;
  params: string[];
  policy: string | undefined;
  knobs: string[];
  reduce: boolean;
  symmetry: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const list = argv[0] === 'check' ? argv.slice(1) : argv;
  const a: Args = { model: '', params: [], policy: undefined, knobs: [], reduce: true, symmetry: true };
  for (let i = 0; i < list.length; i++) {
    const arg = list[i]!;
    if (arg === '--param') a.params.push(list[++i]!);
    else if (arg === '--policy') a.policy = list[++i]!;
    else if (arg === '--knob') a.knobs.push(list[++i]!);
    else if (arg === '--no-reduce') a.reduce = false;
    else if (arg === '--no-symmetry') a.symmetry = false;
    else if (!arg.startsWith('--') && a.model === '') a.model = arg;
    else throw new Error(`state-splits: unsupported argument ${arg}`);
  }
  return a;
}

const args = parseArgs(process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_ARGS);
const loaded = resolveModel(args.model, args.params);
const policy = resolvePolicy(checkPolicy(loaded, args.policy, args.knobs));
const sys = buildSystem(loaded.ir, policy, { constants: loaded.constants, reduce: args.reduce, symmetry: args.symmetry });
const words = sys.stateWords;

// Breadth-first exploration into a state store (ids are dense, in BFS order).
const t0 = performance.now();
const store = new StateStore(words);
const out = new Int32Array(words);
const cur = new Int32Array(words);
sys.initialStates(out, () => {
  store.insertIfAbsent(out, -1, 0);
});
for (let id = 0; id < store.size; id++) {
  store.load(id, cur);
  sys.successors(cur, out, () => {
    store.insertIfAbsent(out, id, 0);
  });
}
const total = store.size;
console.log(`${loaded.ir.name} under ${policy.name}: ${total} states, ${words} words each, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Group the layout's fields by name without indices.
const bits = sys.layout.bits;
const groups = new Map<string, number[]>();
bits.names.forEach((name, f) => {
  const key = name.replace(/\[\d+\]$/, '').replace(/\d+$/, '');
  groups.set(key, [...(groups.get(key) ?? []), f]);
});

const rows: { group: string; fields: number; values: number; without: number }[] = [];
for (const [group, fields] of groups) {
  const projected = new StateStore(words);
  const values = new Set<string>();
  for (let id = 0; id < total; id++) {
    store.load(id, cur);
    values.add(fields.map((f) => bits.get(cur, f)).join(','));
    for (const f of fields) bits.set(cur, f, 0);
    projected.insertIfAbsent(cur, -1, 0);
  }
  rows.push({ group, fields: fields.length, values: values.size, without: projected.size });
}
rows.sort((a, b) => a.without - b.without);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(`${'field group'.padEnd(14)}${pad('fields', 7)}${pad('values', 10)}${pad('states without', 16)}${pad('factor', 8)}`);
for (const r of rows) console.log(`${r.group.padEnd(14)}${pad(r.fields, 7)}${pad(r.values, 10)}${pad(r.without, 16)}${pad((total / r.without).toFixed(2), 8)}`);
