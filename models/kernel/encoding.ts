/**
 * How signed values are stored in the packed state, whose fields are unsigned. Registers and
 * the cpu_id / cpu_id_start fields of a struct rseq hold value + VALUE_BIAS, so the two
 * negative IDs (RSEQ_CPU_ID_UNINITIALIZED, RSEQ_CPU_ID_REGISTRATION_FAILED) fit, and a read_id
 * copies an ID to a register unchanged. The kernel's cached CPU holds cpu + 1, 0 for none.
 */

const VALUE_BIAS = 2;
/** The smallest value a register or an ID field holds (RSEQ_CPU_ID_REGISTRATION_FAILED). */
export const MIN_VALUE = -VALUE_BIAS;
/** cpu_id of an unregistered struct rseq. */
export const RSEQ_CPU_ID_UNINITIALIZED = -1;

/** Stored form of a register value or an ID. */
export function encodeValue(value: number): number {
  return value + VALUE_BIAS;
}

/** Register value or ID held by a stored field. */
export function decodeValue(stored: number): number {
  return stored - VALUE_BIAS;
}

/** The kernel's cached CPU field when it caches none. */
export const NO_CACHED_CPU = 0;

/** Stored form of the kernel's cached CPU. */
export function encodeCachedCpu(cpu: number): number {
  return cpu + 1;
}
