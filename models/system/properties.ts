import { builtinPropertyNames, Code } from '../../properties/codes.js';
import { suggest, type InputError } from '../ir/errors.js';
import type { ModelIR } from '../ir/types.js';

/** Built-ins checked when no --property is given (opt-in ones need extra ghost state). */
const defaultBuiltins: readonly number[] = [Code.G1, Code.G2, Code.G3, Code.assertion, Code.deadlock, Code.domain, Code.deliveryTerminates];

const aliases: Readonly<Record<string, number>> = {
  G1: Code.G1,
  G2: Code.G2,
  G3: Code.G3,
  atomicity: Code.G1,
  'no-false-kill': Code.G2,
  detection: Code.G3,
  assert: Code.assertion,
  deadlock: Code.deadlock,
  domain: Code.domain,
  precision: Code.precision,
  ownership: Code.areaOwnership,
};

/** The selection of properties to check: built-in codes and the model's named conditions. */
export interface PropertySelection {
  readonly builtins: ReadonlySet<number>;
  readonly invariants: readonly string[];
  readonly finals: readonly string[];
}

/**
 * Resolves `--property` names. No names means: the default built-ins and every invariant and
 * final condition of the model. `all` adds the opt-in built-ins.
 */
export function selectProperties(ir: ModelIR, names: readonly string[] | undefined): { selection: PropertySelection; errors: InputError[] } {
  const errors: InputError[] = [];
  const invNames = ir.invariants.map((i) => i.name);
  const finNames = ir.final.map((f) => f.name);
  if (!names || names.length === 0) return { selection: { builtins: new Set(defaultBuiltins), invariants: invNames, finals: finNames }, errors };
  const builtins = new Set<number>();
  const invariants: string[] = [];
  const finals: string[] = [];
  const byName = new Map<string, number>(Object.entries(builtinPropertyNames).map(([c, n]) => [n, Number(c)]));
  for (const n of names) {
    if (n === 'all') {
      Object.keys(builtinPropertyNames).forEach((c) => builtins.add(Number(c)));
      invariants.push(...invNames);
      finals.push(...finNames);
    } else if (n === 'builtin') defaultBuiltins.forEach((c) => builtins.add(c));
    else if (byName.has(n)) builtins.add(byName.get(n)!);
    else if (n in aliases) builtins.add(aliases[n]!);
    else if (invNames.includes(n)) invariants.push(n);
    else if (finNames.includes(n)) finals.push(n);
    else {
      const known = [...byName.keys(), ...Object.keys(aliases), ...invNames, ...finNames, 'all'];
      const s = suggest(n, known);
      errors.push({ code: 'unknown-property', file: '<command line>', path: ['--property'], message: `unknown property "${n}" (known: ${known.join(', ')})`, ...(s ? { hint: `did you mean "${s}"?` } : {}) });
    }
  }
  // Safety of the model itself is always watched: a bad store makes any verdict meaningless.
  builtins.add(Code.domain);
  return { selection: { builtins, invariants, finals }, errors };
}
