// Mutation testing (issue #15): `npm run mutation`. A separate script, never part of `npm test`.
//
// It mutates the generic engine (checker/), the reductions of the compiled system (models/system/)
// and the kernel semantics, and runs only the test files below against each mutant: those that
// exercise this code in a few seconds per test. The multi-million-state runs (e2e/percpu-counter,
// e2e/determinism, models/memo) and e2e/temporal (minutes a test once instrumented) are left
// out: they cover the same code, but one surviving mutant would replay minutes of them.
//
// A full run takes hours on 2 cores (checker/** alone is about 1 900 mutants; every mutant of the
// explorer is covered by every model check). A subset:
//   npm run mutation -- --mutate 'checker/**/*.ts'
//   npm run mutation -- --mutate 'checker/state-store.ts,checker/explore.ts'
//   npm run mutation -- --mutate 'checker/explore.ts:40-120'       (a line range)
// Results: the clear-text table on stdout, dist/mutation/mutation.html and .json (under dist/,
// which git ignores; reports/ is the project's report renderer, not an output folder).
// Fewer test files (faster, fewer mutants killed): -- --testFiles 'test/checker/*.test.ts,...'
// e.g. the stores and buffers against their unit tests alone (764 mutants, 12 min on a loaded
// 2-core machine):
//   npm run mutation -- --testFiles 'test/checker/*.test.ts' --mutate 'checker/state-store.ts,
//     checker/tagged-word-table.ts,checker/packing.ts,checker/range-memo.ts,
//     checker/successor-buffer.ts,checker/findings.ts,checker/replay.ts,checker/result.ts,
//     checker/parallel/shared-store.ts'        (one argument, without the line breaks)
// Re-runs with `-- --incremental` only test mutants whose code or tests changed.
//
// Code run outside the test process is not mutated in effect: parallel workers load the compiled
// dist/ modules (checker/parallel/level-worker.ts), so their mutants show as "no coverage".

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: ['checker/**/*.ts', 'models/system/**/*.ts', 'models/kernel/semantics.ts'],
  testFiles: [
    'test/checker/*.test.ts',
    'test/models/semantics.test.ts',
    'test/models/reductions.test.ts',
    'test/models/explain.test.ts',
    'test/properties/lasso.test.ts',
    'test/e2e/review-matrix.test.ts',
    'test/e2e/library-api.test.ts',
    'test/library/gallery.test.ts',
    'test/library/seed.test.ts',
    'test/library/primitives.test.ts',
    'test/library/selftests.test.ts',
  ],
  // A static mutant (module-level code) would force every test to run again in a fresh process.
  ignoreStatic: true,
  ignorePatterns: ['review-out', 'dist/mutation', '.ab'],
  dryRunTimeoutMinutes: 20,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'dist/mutation/mutation.html' },
  jsonReporter: { fileName: 'dist/mutation/mutation.json' },
  incrementalFile: 'dist/mutation/incremental.json',
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
};
