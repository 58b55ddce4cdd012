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
  /** States stored at the previous check: the next interval's growth is judged from the last one. */
  private countAtLastCheck = 0;

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

  /**
   * Whether a search that has stored `count` states would pass the bound within two more
   * intervals like the last one (it checks once per interval); `growthBytes(inserts)` is what
   * its store allocates for that many more states.
   */
  exceededAhead(count: number, growthBytes: (inserts: number) => number): boolean {
    const ahead = growthBytes(2 * Math.max(count - this.countAtLastCheck, 1024));
    this.countAtLastCheck = count;
    return this.wouldExceed(ahead);
  }
}
