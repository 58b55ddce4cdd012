/**
 * One check: explores a model under a policy (in-process or on a worker pool), then explains
 * the counterexample and the flags' witnesses in the unreduced system. The options, the system
 * build and the result live in options.ts, models/system/build.ts and result.ts; they are
 * re-exported here, the library's entry point for a check.
 */
import { explore } from '../checker/explore.js';
import { compiledModule, exploreParallel } from '../checker/parallel/explore-parallel.js';
import type { ModelIR } from '../models/ir/types.js';
import { explainPath } from './explain.js';
import type { SystemParams } from './system-factory.js';
import { pathToFileURL } from 'node:url';
import { coverageReport } from '../models/system/coverage.js';
import { concretize } from '../models/system/concretize.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import type { CheckOptions } from './options.js';
import { buildSystem } from '../models/system/build.js';
import type { CheckResult, ExplainedFlag } from './result.js';

export { resolvePolicy } from '../models/kernel/presets.js';
export type { CheckOptions } from './options.js';
export { buildSystem } from '../models/system/build.js';
export type { CheckResult } from './result.js';

/**
 * Explores every placement of kernel events over the model under the policy and returns the
 * verdict, the statistics and a shortest counterexample. Bad input throws `InputErrors`.
 */
export async function checkModel(ir: ModelIR, options: CheckOptions = {}): Promise<CheckResult> {
  const policy = resolvePolicy(options.policy, options.knobs);
  const sys = buildSystem(ir, policy, options);
  const limits = {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const workers = options.workers ?? 1;
  let raw;
  if (workers > 1) {
    const params: SystemParams = {
      ir,
      policy,
      options: {
        ...(options.budgets ? { budgets: options.budgets } : {}),
        ...(options.properties ? { properties: options.properties } : {}),
        ...(options.constants ? { constants: options.constants } : {}),
        ...(options.symmetry !== undefined ? { symmetry: options.symmetry } : {}),
        ...(options.reduce !== undefined ? { reduce: options.reduce } : {}),
        ...(options.disable !== undefined ? { disable: options.disable } : {}),
      },
    };
    const spec = { factory: factoryUrl(), params, key: `${ir.name}:${policy.name}:${performance.now()}:${Math.random()}` };
    raw = await exploreParallel(sys, spec, {
      ...limits,
      workers,
      ...(options.parallelThreshold !== undefined ? { threshold: options.parallelThreshold } : {}),
      ...(options.crashWorkerAtBatch !== undefined ? { crashAtBatch: options.crashWorkerAtBatch } : {}),
    });
  } else raw = await explore(sys, limits);
  const meta = { model: ir.name, policy: policy.name };
  // Traces and replay tokens are given in the unreduced system.
  const concrete = sys.symmetric ? buildSystem(ir, policy, { ...options, symmetry: false }) : sys;
  const real = (choices: readonly number[]): number[] => concretize(sys, concrete, choices);
  const flags: ExplainedFlag[] = raw.flags.map((f) => {
    const witness = { choices: real(f.witness.choices) };
    return { ...f, witness, trace: explainPath(concrete, witness.choices, { ...meta, property: f.name }) };
  });
  const common = { kind: 'check' as const, model: ir.name, policy, budgets: sys.options.budgets, stats: raw.stats, flags, coverage: coverageReport(sys) };
  if (raw.verdict === 'violation') {
    const path = { choices: real(raw.path.choices) };
    const trace = explainPath(concrete, path.choices, { ...meta, property: raw.property });
    return { ...common, verdict: 'violation', property: raw.property, path, trace };
  }
  if (raw.verdict === 'incomplete') return { ...common, verdict: 'incomplete', stoppedBy: raw.stoppedBy };
  return { ...common, verdict: 'pass' };
}

/** The built factory module workers import (workers run the compiled dist/ code). */
function factoryUrl(): string {
  return pathToFileURL(compiledModule(import.meta.url, 'run', 'system-factory.js')).href;
}
