import { knob } from './define.js';

/** How the kernel writes cpu_id_start / cpu_id / mm_cid and guards them (§1.1, §2.10). */
export const idKnobs = [
  knob({
    name: 'idUpdate',
    family: 'ids',
    values: ['everyHandlerRun', 'onChangeOnly'],
    default: 'everyHandlerRun',
    doc: 'everyHandlerRun: IDs rewritten on every handler run even if unchanged (L418-L63, L71 legacy); onChangeOnly: only when they changed (L619, L71-V2)',
    source: 'rseq_update_cpu_node_id (6.3); rseq_exit_to_user_mode_restart (6.19)',
    evidence: 'verified',
  }),
  knob({
    name: 'readOnlyEnforcement',
    family: 'ids',
    values: ['off', 'warn', 'kill'],
    default: 'off',
    doc: 'what happens when user space wrote a read-only field: off (L418-L6.12), warn (DEBUG_RSEQ 6.13+), kill (L619 debug, L71-V2)',
    source: '7d5265ffcd8b, 867d5e330588',
    evidence: 'verified',
  }),
] as const;
