import { Command } from '@commander-js/extra-typings';
import { gallery } from '../../models/library/gallery/entries.js';
import { jsonOption } from '../options.js';
import { Output } from '../output.js';

/** `rseq-check gallery [--json]`: the known-bug gallery, one entry per `gallery/NAME`. */
export function galleryCommand(): Command {
  return new Command('gallery')
    .summary('the known-bug gallery (check one: rseq-check check gallery/NAME)')
    .addOption(jsonOption())
    .action((flags) => {
      const entries = gallery.map((g) => ({ name: g.name, title: g.title, policy: g.policy, bugKnobs: g.bugKnobs, fixKnobs: g.fixKnobs, property: g.property }));
      new Output(flags.json === true).result({ kind: 'gallery', entries }, () =>
        entries.map((g) => `gallery/${g.name}: ${g.title}\n    policy ${g.policy}; bug: ${g.bugKnobs.join(' ')}; fix: ${g.fixKnobs.join(' ')}; property ${g.property}`).join('\n'),
      );
    });
}
