/**
 * `maxMemoryMB` as a bound on the whole process's resident size, not on one structure: caches,
 * memos, worker arenas, the product and the V8 heap all count, because that is what the user
 * sees in `top` and what the machine runs out of. The explorer asks before each batch whether the
 * batch's expected growth still fits; large allocations (a table doubling) are announced by the
 * store (`VisitedStore.growthBytes`), so a run stops before them instead of overshooting.
 */
import { memoryUsage } from 'node:process';

export class MemoryBound {
  readonly boundBytes: number;

  /** `residentBytes` is the process's resident size now (a parameter so tests can drive it). */
  constructor(
    readonly boundMB: number,
    private readonly residentBytes: () => number = memoryUsage.rss,
  ) {
    this.boundBytes = boundMB * 1024 * 1024;
  }

  /** Whether the process, grown by `aheadBytes` more, would exceed the bound. */
  wouldExceed(aheadBytes: number): boolean {
    return this.residentBytes() + aheadBytes > this.boundBytes;
  }
}
