import { builtinModels } from '../../models/library/catalog.js';

/** `rseq-check models`: the built-in models and their parameters. */
export function modelsCommand(): number {
  for (const m of builtinModels()) {
    console.log(`${m.name}: ${m.summary}`);
    for (const p of m.params) console.log(`    --param ${p.name}=N   ${p.doc} (default ${p.default}, ${p.min}..${p.max})`);
  }
  return 0;
}
