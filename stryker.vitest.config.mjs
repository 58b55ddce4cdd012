// The project's vitest configuration with a longer test timeout, for `npm run mutation` only:
// code instrumented by Stryker (every mutant behind a switch) runs several times slower, and a
// test that takes 3 s in `npm test` can pass vitest's usual 120 s there.
import { mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(base, { test: { testTimeout: 900_000 } });
