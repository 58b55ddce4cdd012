/**
 * The growth thresholds of ProductStore (checker/graph/product-store.ts), against the mutants
 * StrykerJS left alive (issue #15): its table of 2^12 slots doubles only once more than half of
 * them are taken, and `growthBytes` announces that doubling exactly when an insert makes it due.
 */
import { describe, expect, it } from 'vitest';
import { ProductStore } from '../../checker/graph/product-store.js';

/** One arena chunk of 2^14 rows of 2 words (131 072 bytes) and the first table (2^12 slots, 16 384 bytes). */
const CHUNK_BYTES = 16_384 * 2 * 4;
const TABLE_BYTES = 4096 * 4;

describe('ProductStore growth', () => {
  it('the table doubles at the 2049th state, not at the 2048th', () => {
    const store = new ProductStore(2);
    const key = new Int32Array(2);
    for (let i = 0; i < 2048; i++) {
      key[0] = i;
      expect(store.intern(key)).toBe(i);
    }
    expect(store.bytes()).toBe(CHUNK_BYTES + TABLE_BYTES);
    key[0] = 2048;
    store.intern(key);
    expect(store.bytes()).toBe(CHUNK_BYTES + 2 * TABLE_BYTES);
    // Every state is still found after the rehash.
    for (let i = 0; i <= 2048; i++) {
      key[0] = i;
      expect(store.find(key)).toBe(i);
    }
  });

  it('growthBytes counts the rows, and the doubled table only when the inserts make it due', () => {
    const store = new ProductStore(2);
    // 2048 states fill half the table: no doubling yet. 2049 do: the doubled table (2 * 16 384).
    expect(store.growthBytes(1)).toBe(8);
    expect(store.growthBytes(2048)).toBe(2048 * 8);
    expect(store.growthBytes(2049)).toBe(2049 * 8 + 2 * TABLE_BYTES);
  });
});
