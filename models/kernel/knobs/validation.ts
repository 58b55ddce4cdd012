import { knob } from './define.js';

/** Descriptor validation (§1.5 table). */
export const validationKnobs = [
  knob({
    name: 'csValidation',
    family: 'validation',
    values: ['full-always', 'minimal-in-range', 'debug-full'],
    default: 'full-always',
    doc: 'full-always: version, abort_ip range and signature checked on every evaluation, before the in-range test (L418-L63); minimal-in-range: only the signature, and only when ip is in the range (L619); debug-full: full checks, and a c.s. found at syscall exit is fatal (L619 debug)',
    source: 'rseq_get_rseq_cs (v4.18); rseq_update_user_cs (6.19); rseq_debug_update_user_cs',
    evidence: 'verified',
  }),
] as const;
