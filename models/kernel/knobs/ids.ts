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
  knob({
    name: 'unregisterResetsCpuIdStart',
    family: 'ids',
    values: ['0', '-1'],
    default: '0',
    doc: 'what rseq(UNREGISTER) writes to cpu_id_start (cpu_id gets -1 always): 0, a possible CPU as the ABI promises (4.18-6.18, 7.0.7+ and 7.1); -1 (6.19 and 7.0.0-7.0.6: rseq_reset_ids writes RSEQ_CPU_ID_UNINITIALIZED to both through rseq_set_ids)',
    source: 'rseq_reset_rseq_cpu_node_id (v6.7 kernel/rseq.c); rseq_reset_ids + rseq_set_ids_get_csaddr (v7.0.1 include/linux/rseq_entry.h); fixed by 2cb68e45120d "rseq: Set rseq::cpu_id_start to 0 on unregistration" (upstream for 7.1, stable 7.0.7)',
    evidence: 'verified',
  }),
] as const;
