import { Command } from '@commander-js/extra-typings';
import { builtinModels } from '../../models/library/catalog.js';
import { jsonOption } from '../options.js';
import { Output } from '../output.js';

/** `rseq-check models [--json]`: the built-in models and their parameters. */
export function modelsCommand(): Command {
  return new Command('models')
    .summary('the built-in models and their parameters')
    .addOption(jsonOption())
    .action((flags) => {
      const models = builtinModels().map((m) => ({ name: m.name, summary: m.summary, params: m.params.map((p) => ({ name: p.name, doc: p.doc, default: p.default, min: p.min, max: p.max })) }));
      new Output(flags.json === true).result({ kind: 'models', models }, () =>
        models.map((m) => [`${m.name}: ${m.summary}`, ...m.params.map((p) => `    --param ${p.name}=N   ${p.doc} (default ${p.default}, ${p.min}..${p.max})`)].join('\n')).join('\n'),
      );
    });
}
