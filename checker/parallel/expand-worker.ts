/**
 * Worker thread: expands batches of packed states for the parallel explorer. Holds one
 * transition system per spec key; computes successors, their inspect codes, and the terminal
 * code of states without successors. Pure with respect to the explorer: it stores nothing.
 */
import workerpool from 'workerpool';
import { threadId } from 'node:worker_threads';
import type { TransitionSystem } from '../transition-system.js';
import { StateStore } from '../state-store.js';
import { KNOWN_DUPLICATE, type ExpandRequest, type ExpandResult } from './protocol.js';

/**
 * The system of the current run and every successor this worker has produced in it. A state
 * produced in an earlier batch is already in the explorer's store by the time the explorer
 * reads this batch (batches are consumed in order), so it is sent as a known duplicate: the
 * explorer counts the transition without hashing the state again.
 */
let cached: { key: string; system: TransitionSystem; seen: StateStore } | undefined;

async function systemFor(req: ExpandRequest): Promise<{ system: TransitionSystem; seen: StateStore }> {
  if (cached?.key === req.spec.key) return cached;
  const mod = (await import(req.spec.factory)) as { createSystem(params: unknown): TransitionSystem };
  const system = mod.createSystem(req.spec.params);
  cached = { key: req.spec.key, system, seen: new StateStore(system.stateWords, 16) };
  return cached;
}

async function expand(req: ExpandRequest): Promise<unknown> {
  if (req.crash) process.exit(1);
  const { system: sys, seen } = await systemFor(req);
  const W = sys.stateWords;
  let succ = new Int32Array(Math.max(1024, req.count * 8 * W));
  let meta = new Int32Array(Math.max(256, req.count * 8 * 2));
  const perState = new Int32Array(req.count * 2);
  const state = new Int32Array(W);
  const out = new Int32Array(W);
  let n = 0;
  let words = 0;
  for (let i = 0; i < req.count; i++) {
    for (let w = 0; w < W; w++) state[w] = req.states[i * W + w]!;
    let c = 0;
    sys.successors(state, out, (label) => {
      if (words + W > succ.length) {
        const bigger = new Int32Array(succ.length * 2);
        bigger.set(succ);
        succ = bigger;
      }
      if ((n + 1) * 2 > meta.length) {
        const bigger = new Int32Array(meta.length * 2);
        bigger.set(meta);
        meta = bigger;
      }
      meta[n * 2] = label;
      if (seen.insertIfAbsent(out, -1, 0) < 0) meta[n * 2 + 1] = KNOWN_DUPLICATE;
      else {
        for (let w = 0; w < W; w++) succ[words + w] = out[w]!;
        words += W;
        meta[n * 2 + 1] = sys.inspect(out);
      }
      n++;
      c++;
    });
    perState[i * 2] = c;
    perState[i * 2 + 1] = c === 0 ? sys.terminal(state) : 0;
  }
  const result: ExpandResult = { successors: succ.slice(0, words), meta: meta.slice(0, n * 2), perState, worker: threadId };
  return new workerpool.Transfer(result, [result.successors.buffer, result.meta.buffer, result.perState.buffer]);
}

workerpool.worker({ expand });
