/**
 * `npm run bench`: explores built-in models and prints states, states/s and bytes/state. A
 * benchmark, not a test: numbers vary with the machine; nothing here asserts a speed.
 */
import { checkModel } from '../models/check.js';
import { loadModel } from '../models/load.js';

const runs: { model: string; params: string[]; policy: string }[] = [
  { model: 'percpu-counter', params: ['threads=2', 'ops=1', 'signals=1'], policy: 'linux-6.3' },
  { model: 'percpu-counter', params: ['threads=2', 'ops=2', 'signals=1'], policy: 'linux-6.3' },
  { model: 'percpu-counter', params: ['threads=2', 'ops=2', 'signals=1'], policy: 'linux-6.19' },
  { model: 'percpu-counter', params: ['threads=3', 'ops=1', 'signals=0'], policy: 'linux-6.3' },
];

console.log('model                                   policy       states      transitions  seconds  states/s   bytes/state');
for (const r of runs) {
  const loaded = loadModel(r.model, r.params);
  const res = await checkModel(loaded.ir, { policy: r.policy, constants: loaded.constants });
  const s = res.stats;
  console.log(
    `${`${r.model} ${r.params.join(' ')}`.padEnd(40)}${r.policy.padEnd(13)}${String(s.states).padStart(9)}  ${String(s.transitions).padStart(12)}  ${s.seconds.toFixed(2).padStart(7)}  ${Math.round(s.statesPerSecond).toString().padStart(9)}  ${s.bytesPerState.toFixed(1).padStart(9)}   ${res.verdict}`,
  );
}
