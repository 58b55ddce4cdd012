import { gallery } from '../../models/library/gallery/entries.js';

/** `rseq-check gallery`: the known-bug gallery, one entry per `gallery/NAME`. */
export function galleryCommand(): number {
  for (const g of gallery) console.log(`gallery/${g.name}: ${g.title}\n    policy ${g.policy}; bug: ${g.bugKnobs.join(' ')}; fix: ${g.fixKnobs.join(' ')}; property ${g.property}`);
  return 0;
}
