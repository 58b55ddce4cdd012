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
  "percpu-counter 2x1": '9173/297/297/500/506/350 9173/297/297/500/506/350 26334/506/506/506/506/719 26334/1044/1044/1044/1044/1529 26334/506/506/506/506/719',
  "seed S1": '11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9',
  "seed S1'": '453/228/228/288/259/248 453/228/228/288/259/248 385/278/278/278/278/296 385/278/278/278/278/296 385/278/278/278/278/296',
  "seed S2": '38/25/25/31/25/25 38/25/25/31/25/25 31/25/25/25/25/26 31/25/25/25/25/26 31/25/25/25/25/26',
  "seed S3": '106/83/83/83/83/83 72/57/57/57/57/57 71/57/57/57/57/57 71/57/57/57/57/57 71/57/57/57/57/57',
  "seed S3-ret": '139/104/104/104/104/104 93/72/72/72/72/72 91/70/70/70/70/70 91/70/70/70/70/70 91/70/70/70/70/70',
  "seed S4": '117/74/74/89/74/74 117/74/74/89/74/74 96/74/74/74/74/74 96/74/74/74/74/74 96/74/74/74/74/74',
  "seed S5": '11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9 11/9/9/9/9/9',
  "seed S6": '11/10/10/10/10/10 11/10/10/10/10/10 11/10/10/10/10/10 11/10/10/10/10/10 11/10/10/10/10/10',
  "seed S7": '100/64/64/64/64/64 110/80/80/80/80/80 94/67/67/67/67/67 94/67/67/67/67/67 94/67/67/67/67/67',
  "seed S7-noflag": '162/87/87/102/87/87 182/99/99/114/99/99 134/87/87/87/87/87 134/87/87/87/87/87 134/87/87/87/87/87',
  "seed S8": '36/23/23/29/23/23 36/23/23/29/23/23 28/23/23/23/23/23 28/23/23/23/23/23 28/23/23/23/23/23',
  "seed S9": '91/59/59/69/59/61 91/59/59/69/59/61 84/59/59/59/59/68 79/59/59/59/59/63 84/59/59/59/59/68',
  // A tracer turns off thread symmetry and fusion: only the canonical form's own merges remain.
  "seed S10": '26/26/26/26/26/26 26/26/26/26/26/26 20/20/20/20/20/20 20/20/20/20/20/20 20/20/20/20/20/20',
  "seed S10-exit": '26/26/26/26/26/26 26/26/26/26/26/26 20/20/20/20/20/20 20/20/20/20/20/20 20/20/20/20/20/20',
  "seed S10-step": '35/35/35/35/35/35 35/35/35/35/35/35 35/35/35/35/35/35 35/35/35/35/35/35 35/35/35/35/35/35',
  "gallery syscall-migrated-619": '45/28/28/34/31/30 45/28/28/34/31/30 50/44/44/44/44/46 50/44/44/44/44/46 50/44/44/44/44/46',
  "gallery clone-vm-registration": '204/151/151/151/151/151 283/201/201/201/201/201 221/153/153/153/153/153 221/153/153/153/153/153 221/153/153/153/153/153',
  "gallery no-restart-signal-preempted-handler": '2453/1518/1518/1518/1518/1562 2453/1518/1518/1518/1518/1562 2065/1256/1256/1256/1256/1293 2065/1256/1256/1256/1256/1293 2065/1256/1256/1256/1256/1293',
  "gallery no-restart-signal-preempted-handler-notify-first": '2453/1518/1518/1518/1518/1562 2453/1518/1518/1518/1518/1562 2065/1256/1256/1256/1256/1293 2065/1256/1256/1256/1256/1293 2065/1256/1256/1256/1256/1293',
  "gallery stale-event-spurious-abort": '141/96/96/96/96/107 141/96/96/96/96/107 96/72/72/72/72/76 96/72/72/72/72/76 96/72/72/72/72/76',
  "gallery arm64-user-irq": '189/81/81/93/105/81 189/81/81/93/105/81 166/105/105/105/105/105 166/105/105/105/105/105 166/105/105/105/105/105',
  "gallery kvm-stale-cpu-id": '1006/484/484/617/543/522 1006/484/484/617/543/522 857/535/535/535/535/573 857/553/553/553/553/591 857/535/535/535/535/573',
  "gallery exec-failure-stale-mm-cid": '66/66/66/66/66/66 66/66/66/66/66/66 66/66/66/66/66/66 66/66/66/66/66/66 66/66/66/66/66/66',
  "gallery sigsegv-handler-recursion": '41/31/31/31/31/31 41/31/31/31/31/31 28/22/22/22/22/22 28/22/22/22/22/22 28/22/22/22/22/22',
  "gallery membarrier-ipi-lost-abort": '362/262/262/262/262/275 609/446/446/446/446/459 250/198/198/198/198/198 250/198/198/198/198/198 250/198/198/198/198/198',
  "gallery unregister-ipi-false-kill": '11/11/11/11/11/11 11/11/11/11/11/11 11/11/11/11/11/11 11/11/11/11/11/11 11/11/11/11/11/11',
  "gallery unregister-cpu-id-start": '13/11/11/11/11/11 13/11/11/11/11/11 12/10/10/10/10/10 13/11/11/11/11/11 13/11/11/11/11/11',
  "gallery stale-rseq-cs-registration": '2/2/2/2/2/2 2/2/2/2/2/2 13/11/11/11/11/11 13/11/11/11/11/11 13/11/11/11/11/11',
  "gallery mm-cid-racy-handover": '140/96/96/96/96/96 140/96/96/96/96/96 140/96/96/96/96/96 140/96/96/96/96/96 140/96/96/96/96/96',
};

describe('canonical form: exact state counts, same codes and final memories as unreduced', () => {
  const counts: Record<string, string> = {};
  for (const [name, ir] of models) {
    it(name, () => {
      const options: CheckOptions = { properties: ['all'], constants: { threads: ir.threads.length, ops: 1, cpus: ir.cpus.length, signals: 1 } };
      const row: string[] = [];
      for (const preset of presets) {
        const pol = resolvePolicy(preset, []);
        const full = outcomes(buildSystem(ir, pol, { ...options, reduce: false, symmetry: false }));
        const reduced = outcomes(buildSystem(ir, pol, options));
        expect(reduced.codes, `${preset}: codes`).toEqual(full.codes);
        expect(reduced.finals, `${preset}: final memories`).toEqual(full.finals);
        const noMemo = outcomes(buildSystem(ir, pol, { ...options, memoize: false }));
        const noDead = outcomes(buildSystem(ir, pol, { ...options, disable: ['dead-events'] }));
        const noPending = outcomes(buildSystem(ir, pol, { ...options, disable: ['abort-pending'] }));
        const noStale = outcomes(buildSystem(ir, pol, { ...options, disable: ['dead-rseq-cs'] }));
        row.push([full, reduced, noMemo, noDead, noPending, noStale].map((r) => r.states).join('/'));
      }
      counts[name] = row.join(' ');
      if (process.env['PRINT_COUNTS']) console.log(`COUNTS ${JSON.stringify(name)}: '${counts[name]}',`);
      else expect(counts[name]).toBe(expected[name]);
    });
  }
});
