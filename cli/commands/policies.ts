import { formatKnobs, knobDefs } from '../../models/kernel/policy.js';
import { presetDefs } from '../../models/kernel/presets.js';

/** `rseq-check policies`: the presets (each as its diff over its base), then every knob. */
export function policiesCommand(): number {
  for (const p of presetDefs) console.log(`${p.name}${p.base ? ` (= ${p.base} +)` : ''}: ${p.doc}\n    ${formatKnobs(p.diff).join(' ') || '(all defaults)'}`);
  console.log('\nknobs (--knob name=value):');
  for (const k of knobDefs) console.log(`  ${k.name} = ${k.values === 'boolean' ? 'true|false' : k.values === 'set' ? 'syscall,...' : k.values.join('|')} [${k.evidence}]\n      ${k.doc}`);
  return 0;
}
