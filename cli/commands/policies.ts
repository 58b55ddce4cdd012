import { Command } from '@commander-js/extra-typings';
import { formatKnobs, knobDefs } from '../../models/kernel/policy.js';
import { presetDefs } from '../../models/kernel/presets.js';
import { jsonOption } from '../options.js';
import { Output } from '../output.js';

/** `rseq-check policies [--json]`: the presets (each as its diff over its base), then every knob; both read from models/kernel, so new ones show up here. */
export function policiesCommand(): Command {
  return new Command('policies')
    .summary('the policy presets and their knobs')
    .addOption(jsonOption())
    .action((flags) => {
      const presets = presetDefs.map((p) => ({ name: p.name, base: p.base, kind: p.kind, doc: p.doc, knobs: formatKnobs(p.diff) }));
      const knobs = knobDefs.map((k) => ({ name: k.name, values: k.values === 'boolean' ? ['true', 'false'] : k.values === 'set' ? ['syscall,...'] : [...k.values], evidence: k.evidence, doc: k.doc }));
      new Output(flags.json === true).result({ kind: 'policies', presets, knobs }, () =>
        [
          ...presets.map((p) => `${p.name}${p.base ? ` (= ${p.base} +)` : ''}: ${p.doc}\n    ${p.knobs.join(' ') || '(all defaults)'}`),
          '\nknobs (--knob name=value):',
          ...knobs.map((k) => `  ${k.name} = ${k.values.join('|')} [${k.evidence}]\n      ${k.doc}`),
        ].join('\n'),
      );
    });
}
