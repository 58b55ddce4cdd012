import { knob } from './define.js';

/** Registration, fork and clone (§1.4, §2.8). */
export const lifecycleKnobs = [
  knob({
    name: 'forkUnregister',
    family: 'lifecycle',
    values: ['CLONE_THREAD', 'CLONE_VM'],
    default: 'CLONE_VM',
    doc: 'which clone flag makes the child unregistered: CLONE_THREAD (before 463f550fb47b: a CLONE_VM child without CLONE_THREAD kept the parent registration), CLONE_VM (since)',
    source: '463f550fb47b (5.5-rc7; stable 4.19 from the 2020-02-03 review series)',
    evidence: 'verified',
  }),
  knob({ name: 'registrationClearsRseqCs', family: 'lifecycle', values: 'boolean', default: false, doc: 'registration clears a stale rseq_cs', source: 'fd881d0a085f (6.15; stable 6.14.9, 6.12.39, 6.6.99, 6.1.146, 5.15.189, 5.10.240: models/kernel/versions.ts)', evidence: 'verified' }),
  knob({ name: 'membarrierExcludesCaller', family: 'lifecycle', values: 'boolean', default: true, doc: 'membarrier RSEQ without FLAG_CPU does not IPI the calling CPU', source: 'kernel/sched/membarrier.c (smp_call_function_many)', evidence: 'verified' }),
] as const;
