import { StateStore } from '../checker/state-store.js';
import type { StateGraph } from '../reports/state-graph.js';
import { buildSystem } from './build-system.js';
import { resolvePolicy, type CheckOptions } from './check-options.js';
import type { ModelIR } from './ir/types.js';
import { Status, statusNames } from './kernel/layout.js';
import { decodeLabel, LabelKind } from './system.js';

const kindNames = Object.fromEntries(Object.entries(LabelKind).map(([k, v]) => [v, k]));

/**
 * The whole reachable state graph of a small model (for drawing): every state with a short
 * description of each thread, every transition with its label. Stops after `limit` + 1 states,
 * so that the drawing can refuse with the count it saw.
 */
export function modelStateGraph(ir: ModelIR, options: CheckOptions = {}, limit = 500): StateGraph {
  const sys = buildSystem(ir, resolvePolicy(options.policy ?? 'linux-6.3', options.knobs), { ...options, symmetry: false });
  const store = new StateStore(sys.stateWords);
  const out = new Int32Array(sys.stateWords);
  const cur = new Int32Array(sys.stateWords);
  const edges: { from: number; to: number; label: string }[] = [];
  sys.initialStates(out, () => {
    store.insertIfAbsent(out, -1, 0);
  });
  const k = sys.kernel;
  const L = sys.layout;
  const describe = (s: Int32Array): string =>
    ir.threads
      .map((t, i) => {
        const st = k.get(s, L.status[i]!);
        if (st === Status.Done || st === Status.Dormant) return `${t.name} ${statusNames[st]}`;
        const lvl = k.level(s, i);
        const p = ir.programs[k.programOf(i, lvl)]!;
        const ip = k.get(s, L.ip[L.frame(i, lvl)]!);
        return `${t.name} ${statusNames[st]} ${ir.cpus[k.get(s, L.cpu[i]!)]} ${p.name}:${p.labels[ip] ?? ip}`;
      })
      .join('\n') + (k.killed(s) ? '\nkilled' : '');
  for (let id = 0; id < store.size && store.size <= limit; id++) {
    store.load(id, cur);
    sys.successors(cur, out, (label) => {
      const to = store.insertIfAbsent(out, id, 0);
      const { kind, thread, arg } = decodeLabel(label);
      edges.push({ from: id, to: to >= 0 ? to : -1 - to, label: `${kindNames[kind]} ${ir.threads[thread]?.name ?? ''}${kind === LabelKind.migrate ? `→${ir.cpus[arg]}` : ''}` });
    });
  }
  const nodes = Array.from({ length: store.size }, (_, id) => {
    store.load(id, cur);
    return { id, label: describe(cur), ...(sys.inspect(cur) > 0 ? { violation: true } : {}) };
  });
  return { nodes, edges: edges.filter((e) => e.to < nodes.length) };
}
