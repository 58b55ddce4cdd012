import { MemoryBound } from '../checker/memory-bound.js';
import { namingSignal, type Limit } from '../checker/result.js';
import { StateStore } from '../checker/state-store.js';
import { buildSystem } from '../models/system/build.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import type { CheckOptions } from './options.js';
import type { ModelIR } from '../models/ir/types.js';
import { Status, statusNames } from '../models/kernel/layout.js';
import { decodeLabel, LabelKind, labelKindNames } from '../models/system/labels.js';

export interface StateGraphNode {
  readonly id: number;
  readonly label: string;
  /** True for states violating the checked property; drawn red. */
  readonly violation?: boolean;
}

export interface StateGraphEdge {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

export interface StateGraph {
  readonly nodes: readonly StateGraphNode[];
  readonly edges: readonly StateGraphEdge[];
  /** Set when `stop` cut the exploration: the graph holds the states seen until then. */
  readonly stoppedBy?: Limit;
}

/** How often (in expanded states) the exploration asks `stop`: a state expands in microseconds. */
const STOP_EVERY = 16;

/**
 * The whole reachable state graph of a small model (for drawing): every state with a short
 * description of each thread, every transition with its label. Stops after `limit` + 1 states,
 * so that the drawing can refuse with the count it saw, or earlier at `options`' maxSeconds,
 * maxMemoryMB or signal.
 */
export function modelStateGraph(ir: ModelIR, options: CheckOptions = {}, limit = 500): StateGraph {
  const stop = graphLimits(options);
  const sys = buildSystem(ir, resolvePolicy(options.policy, options.knobs), { ...options, symmetry: false });
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
        const p = ir.programs[k.programOf(s, i, lvl)]!;
        const ip = k.get(s, L.ip[L.frame(i, lvl)]!);
        return `${t.name} ${statusNames[st]} ${ir.cpus[k.get(s, L.cpu[i]!)]} ${p.name}:${p.labels[ip] ?? ip}`;
      })
      .join('\n') + (k.killed(s) ? '\nkilled' : '');
  let stoppedBy: Limit | undefined;
  for (let id = 0; id < store.size && store.size <= limit; id++) {
    if (id % STOP_EVERY === 0 && (stoppedBy = stop())) break;
    store.load(id, cur);
    sys.successors(cur, out, (label) => {
      const to = store.insertIfAbsent(out, id, 0);
      const { kind, thread, arg } = decodeLabel(label);
      edges.push({ from: id, to: to >= 0 ? to : -1 - to, label: `${labelKindNames[kind]} ${ir.threads[thread]?.name ?? ''}${kind === LabelKind.migrate ? `→${ir.cpus[arg]}` : ''}` });
    });
  }
  const nodes = Array.from({ length: store.size }, (_, id) => {
    store.load(id, cur);
    return { id, label: describe(cur), ...(sys.inspect(cur) > 0 ? { violation: true } : {}) };
  });
  return { nodes, edges: edges.filter((e) => e.to < nodes.length), ...(stoppedBy ? { stoppedBy } : {}) };
}

/** The first of `options`' time, memory and signal limits that has been reached, when asked. */
export function graphLimits(options: Pick<CheckOptions, 'maxSeconds' | 'maxMemoryMB' | 'signal'>): () => Limit | undefined {
  const deadline = options.maxSeconds !== undefined ? performance.now() + options.maxSeconds * 1000 : Infinity;
  const memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  return () => {
    if (options.signal?.aborted) return namingSignal({ kind: 'interrupted' }, options.signal);
    if (performance.now() >= deadline) return { kind: 'time', bound: options.maxSeconds! };
    if (memory?.wouldExceed(0)) return { kind: 'memory', bound: memory.boundMB };
    return undefined;
  };
}
