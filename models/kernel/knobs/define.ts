/** How sure we are of a knob's value per version (see rseq-semantics.md conventions). */
export type Evidence = 'verified' | 'derived' | 'unverified';

/** A knob: a named semantic choice with its allowed values, default, and where it comes from. */
export interface KnobDef<V extends string | boolean | readonly string[] = string | boolean | readonly string[]> {
  readonly name: string;
  readonly family: string;
  /** Allowed values; `boolean` knobs take true/false; `set` knobs take a comma-separated list. */
  readonly values: readonly string[] | 'boolean' | 'set';
  readonly default: V;
  readonly doc: string;
  readonly source: string;
  readonly evidence: Evidence;
}

export function knob<V extends string | boolean | readonly string[]>(def: KnobDef<V>): KnobDef<V> {
  return def;
}
