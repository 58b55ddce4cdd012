/**
 * Bit-packed state layouts: named unsigned fields of 1..31 bits placed into 32-bit words.
 * A field never straddles two words, so `get` and `set` are one shift and one mask.
 */
export class BitLayout {
  /** Word index of each field. */
  readonly word: Int32Array;
  /** Bit offset of each field inside its word. */
  readonly shift: Int32Array;
  /** Unshifted mask of each field (2^bits - 1). */
  readonly mask: Int32Array;

  constructor(
    readonly names: readonly string[],
    word: number[],
    shift: number[],
    mask: number[],
    /** Total words of a packed state. */
    readonly words: number,
    /** Per group name: its first word and its number of words (groups never share a word). */
    readonly groups: ReadonlyMap<string, { readonly start: number; readonly count: number }>,
  ) {
    this.word = Int32Array.from(word);
    this.shift = Int32Array.from(shift);
    this.mask = Int32Array.from(mask);
  }

  /** Reads field `f` of packed state `s` as an unsigned integer. */
  get(s: Int32Array, f: number): number {
    return (s[this.word[f]!]! >>> this.shift[f]!) & this.mask[f]!;
  }

  /** Writes `v` (which must fit the field) into field `f` of `s`. */
  set(s: Int32Array, f: number, v: number): void {
    const w = this.word[f]!;
    const sh = this.shift[f]!;
    const m = this.mask[f]!;
    s[w] = (s[w]! & ~(m << sh)) | ((v & m) << sh);
  }

  /** Largest value field `f` can hold. */
  max(f: number): number {
    return this.mask[f]! >>> 0;
  }
}

/**
 * Collects fields, then packs them first-fit into words (largest fields first), each group
 * into words of its own, so that a group (e.g. one thread's record) is a contiguous word range.
 * Groups built from the same sequence of field sizes get identical internal layouts.
 */
export class BitLayoutBuilder {
  private readonly fields: { name: string; bits: number; group: string }[] = [];

  /** Adds a field wide enough for values 0..maxValue; returns its id. */
  addRange(name: string, maxValue: number, group = ''): number {
    return this.add(name, bitsFor(maxValue), group);
  }

  /** Adds a field of `bits` bits (1..31); returns its id. */
  add(name: string, bits: number, group = ''): number {
    if (!Number.isInteger(bits) || bits < 1 || bits > 31) throw new RangeError(`field ${name}: ${bits} bits`);
    this.fields.push({ name, bits, group });
    return this.fields.length - 1;
  }

  build(): BitLayout {
    // Stryker disable next-line ArrayDeclaration: equivalent, every field's entry is assigned below
    const word = new Array<number>(this.fields.length);
    // Stryker disable next-line ArrayDeclaration: equivalent, every field's entry is assigned below
    const shift = new Array<number>(this.fields.length);
    const groups = new Map<string, { start: number; count: number }>();
    const groupNames = [...new Set(this.fields.map((f) => f.group))];
    let base = 0;
    for (const g of groupNames) {
      const members = this.fields.map((_, i) => i).filter((i) => this.fields[i]!.group === g);
      // Stryker disable next-line ArithmeticOperator: equivalent, members are in index order and the sort is stable (V8 compares a later element with an earlier one), so ties keep index order whatever the tie-break
      const order = members.sort((a, b) => this.fields[b]!.bits - this.fields[a]!.bits || a - b);
      const free: number[] = [];
      for (const i of order) {
        const bits = this.fields[i]!.bits;
        let w = free.findIndex((used) => used + bits <= 32);
        if (w < 0) {
          free.push(0);
          w = free.length - 1;
        }
        word[i] = base + w;
        shift[i] = free[w]!;
        free[w]! += bits;
      }
      groups.set(g, { start: base, count: free.length });
      base += free.length;
    }
    // Stryker disable next-line ConditionalExpression: equivalent, for 31 bits (1 << 31) - 1 is -2^31 - 1, which Int32Array.from stores as 0x7fffffff
    const mask = this.fields.map((f) => (f.bits === 31 ? 0x7fffffff : (1 << f.bits) - 1));
    return new BitLayout(this.fields.map((f) => f.name), word, shift, mask, Math.max(1, base), groups);
  }
}

/** Bits needed to store 0..maxValue (at least 1). */
export function bitsFor(maxValue: number): number {
  let bits = 1;
  while (2 ** bits <= maxValue) bits++;
  return bits;
}
