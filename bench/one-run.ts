/**
 * One sequential check in a fresh process, for the benchmark's contention measurement:
 * `node dist/bench/one-run.js MODEL POLICY PARAM...` prints the wall-clock seconds of the check
 * (no symmetry or partial-order reduction: a fixed amount of work).
 */
import { checkModel } from '../run/check.js';
import { resolveModel } from '../models/library/resolve.js';

const [model, policy, ...params] = process.argv.slice(2);
const loaded = resolveModel(model!, params);
const t0 = performance.now();
await checkModel(loaded.ir, { policy: policy!, constants: loaded.constants, workers: 1, symmetry: false, reduce: false });
console.log(((performance.now() - t0) / 1000).toFixed(3));
