/**
 * The canonical form (models/system/canonical.ts) and the symmetry on the small models of the
 * seed and gallery sets and a 2-thread percpu counter, under five kernel presets: the exact
 * number of states with the reductions off, on, on without the canonical memo, and on with each
 * named reduction off, next to the same reachable property codes and final memories as the
 * unreduced system. A canonical form that merges one state too many or too few changes a count;
 * one that merges states a property tells apart changes the codes or the final memories. Fast
 * enough to run against each mutant of canonical.ts (`npm run mutation`), unlike the
 * differential tests of reductions.test.ts, which compare without pinning counts.
 */
import { describe, expect, it } from 'vitest';
import type { ModelIR } from '../../models/ir/types.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { resolveModel } from '../../models/library/resolve.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { buildSystem, resolvePolicy, type CheckOptions } from '../../run/check.js';
import { outcomes } from './reachable-outcomes.js';
import { compile } from './semantics-helpers.js';

// The largest last: a wrong canonical form usually shows on a small model first (and a mutant's run stops there).
const models: [string, ModelIR][] = [
  ...seedScenarios.map((s) => [`seed ${s.id}`, compile(s.build())] as [string, ModelIR]),
  ...gallery.map((g) => [`gallery ${g.name}`, compile(g.model)] as [string, ModelIR]),
  ['percpu-counter 2x1', resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']).ir],
];

/**
 * One preset per kind of event tracking and ID update: 4.18 (three event bits, NO_RESTART
 * flags), 6.3 (any event), 6.19 (user_irq, IDs on change, minimal validation), 7.1 legacy and
 * v2 (the rework's ids_changed). The presets left out differ from these in kernel semantics
 * (registration, membarrier, NO_RESTART flags), not in what the canonical form merges.
 */
const presets = ['linux-4.18', 'linux-6.3', 'linux-6.19', 'linux-7.1-legacy', 'linux-7.1-v2'];

/**
 * Per model, per preset (in `presets` order): states unreduced / reduced /
 * reduced without the memo / without dead-events / without abort-pending / without dead-rseq-cs.
 */
const expected: Record<string, string> = {
  "percpu-counter 2x1": '9173/272/272/468/472/323 9173/272/272/468/472/323 26334/472/472/472/472/678 26334/988/988/988/988/1460 26334/472/472/472/472/678',
  "seed S1": '11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9',
  "seed S1'": '453/216/216/276/247/236 453/216/216/276/247/236 385/268/268/268/268/286 385/268/268/268/268/286 385/268/268/268/268/286',
  "seed S2": '38/24/24/30/24/24 38/24/24/30/24/24 31/24/24/24/24/25 31/24/24/24/24/25 31/24/24/24/24/25',
  "seed S3": '106/83/83/83/83/83 72/57/57/57/57/57 71/53/53/53/53/53 71/53/53/53/53/53 71/53/53/53/53/53',
  "seed S3-ret": '139/104/104/104/104/104 93/72/72/72/72/72 91/66/66/66/66/66 91/66/66/66/66/66 91/66/66/66/66/66',
  "seed S4": '117/69/69/84/69/69 117/69/69/84/69/69 96/69/69/69/69/69 96/69/69/69/69/69 96/69/69/69/69/69',
  "seed S5": '11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9',
  "seed S6": '11/10/10/10/10/10 11/10/10/10/10/10 11/10/10/10/10/10 11/10/10/10/10/10 11/10/10/10/10/10',
  "seed S7": '100/64/64/64/64/64 110/72/72/72/72/72 94/67/67/67/67/67 94/67/67/67/67/67 94/67/67/67/67/67',
  "seed S7-noflag": '162/84/84/99/84/84 182/96/96/111/96/96 134/84/84/84/84/84 134/84/84/84/84/84 134/84/84/84/84/84',
  "seed S8": '36/22/22/28/22/22 36/22/22/28/22/22 28/22/22/22/22/22 28/22/22/22/22/22 28/22/22/22/22/22',
  "seed S9": '91/59/59/69/59/61 91/59/59/69/59/61 84/59/59/59/59/68 79/59/59/59/59/63 84/59/59/59/59/68',
  // A tracer turns off thread symmetry and fusion: only the canonical form's own merges remain.
  "seed S10": '26/26/26/26/26/26 26/26/26/26/26/26 20/20/20/20/20/20 20/20/20/20/20/20 20/20/20/20/20/20',
  "seed S10-exit": '26/26/26/26/26/26 26/26/26/26/26/26 20/20/20/20/20/20 20/20/20/20/20/20 20/20/20/20/20/20',
  "seed S10-step": '35/35/35/35/35/35 35/35/35/35/35/35 35/35/35/35/35/35 35/35/35/35/35/35 35/35/35/35/35/35',
  "gallery syscall-migrated-619": '45/26/26/32/29/28 45/26/26/32/29/28 50/43/43/43/43/45 50/43/43/43/43/45 50/43/43/43/43/45',
  "gallery clone-vm-registration": '204/150/150/150/150/150 283/198/198/198/198/198 221/150/150/150/150/150 221/150/150/150/150/150 221/150/150/150/150/150',
  "gallery no-restart-signal-preempted-handler": '2453/1484/1484/1484/1484/1527 2453/1484/1484/1484/1484/1527 2065/1132/1132/1132/1132/1168 2065/1132/1132/1132/1132/1168 2065/1132/1132/1132/1132/1168',
  "gallery no-restart-signal-preempted-handler-notify-first": '2453/1484/1484/1484/1484/1527 2453/1484/1484/1484/1484/1527 2065/1132/1132/1132/1132/1168 2065/1132/1132/1132/1132/1168 2065/1132/1132/1132/1132/1168',
  "gallery stale-event-spurious-abort": '141/92/92/92/92/103 141/92/92/92/92/103 96/68/68/68/68/72 96/68/68/68/68/72 96/68/68/68/68/72',
  "gallery arm64-user-irq": '189/79/79/91/103/79 189/79/79/91/103/79 166/103/103/103/103/103 166/103/103/103/103/103 166/103/103/103/103/103',
  "gallery kvm-stale-cpu-id": '1006/465/465/598/524/503 1006/465/465/598/524/503 857/516/516/516/516/554 857/534/534/534/534/572 857/516/516/516/516/554',
  "gallery exec-failure-stale-mm-cid": '66/66/66/66/66/66 66/66/66/66/66/66 66/66/66/66/66/66 66/66/66/66/66/66 66/66/66/66/66/66',
  "gallery sigsegv-handler-recursion": '41/31/31/31/31/31 41/31/31/31/31/31 28/22/22/22/22/22 28/22/22/22/22/22 28/22/22/22/22/22',
  "gallery membarrier-ipi-lost-abort": '362/252/252/252/252/265 609/436/436/436/436/449 250/188/188/188/188/188 250/188/188/188/188/188 250/188/188/188/188/188',
  "gallery unregister-ipi-false-kill": '11/11/11/11/11/11 11/11/11/11/11/11 11/11/11/11/11/11 11/11/11/11/11/11 11/11/11/11/11/11',
  "gallery unregister-cpu-id-start": '13/11/11/11/11/11 13/11/11/11/11/11 12/10/10/10/10/10 13/11/11/11/11/11 13/11/11/11/11/11',
  "gallery stale-rseq-cs-registration": '2/2/2/2/2/2 2/2/2/2/2/2 13/11/11/11/11/11 13/11/11/11/11/11 13/11/11/11/11/11',
  "gallery mm-cid-racy-handover": '140/96/96/96/96/96 140/96/96/96/96/96 140/96/96/96/96/96 140/96/96/96/96/96 140/96/96/96/96/96',
};

describe('canonical form: exact state counts, same codes and final memories as unreduced', () => {
  const counts: Record<string, string> = {};
  for (const [name, ir] of models) {
    it(name, () => {
      // Without quiet-exit and cpu-compare-prefix (they came after these counts, and they change no canonical form).
      const options: CheckOptions = { properties: ['all'], constants: { threads: ir.threads.length, ops: 1, cpus: ir.cpus.length, signals: 1 }, disable: ['quiet-exit', 'cpu-compare-prefix'] };
      const row: string[] = [];
      for (const preset of presets) {
        const pol = resolvePolicy(preset, []);
        const full = outcomes(buildSystem(ir, pol, { ...options, reduce: false, symmetry: false }));
        const reduced = outcomes(buildSystem(ir, pol, options));
        expect(reduced.codes, `${preset}: codes`).toEqual(full.codes);
        expect(reduced.finals, `${preset}: final memories`).toEqual(full.finals);
        const noMemo = outcomes(buildSystem(ir, pol, { ...options, memoize: false }));
        const noDead = outcomes(buildSystem(ir, pol, { ...options, disable: ['quiet-exit', 'cpu-compare-prefix', 'dead-events'] }));
        const noPending = outcomes(buildSystem(ir, pol, { ...options, disable: ['quiet-exit', 'cpu-compare-prefix', 'abort-pending'] }));
        const noStale = outcomes(buildSystem(ir, pol, { ...options, disable: ['quiet-exit', 'cpu-compare-prefix', 'dead-rseq-cs'] }));
        row.push([full, reduced, noMemo, noDead, noPending, noStale].map((r) => r.states).join('/'));
      }
      counts[name] = row.join(' ');
      if (process.env['PRINT_COUNTS']) console.log(`COUNTS ${JSON.stringify(name)}: '${counts[name]}',`);
      else expect(counts[name]).toBe(expected[name]);
    });
  }
});
