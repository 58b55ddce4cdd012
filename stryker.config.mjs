// Mutation testing (issue #15): `npm run mutation`. A separate script, never part of `npm test`.
//
// It mutates the generic engine (checker/), the reductions of the compiled system
// (models/system/reductions.ts, canonical.ts, symmetry.ts) and the kernel semantics, and runs
// only the fast test files below against each mutant (coverage per test: a mutant runs only
// the tests that reach it). The multi-million-state runs (e2e/percpu-counter, e2e/determinism,
// models/memo) and e2e/temporal are left out: one surviving mutant would replay minutes of them.
//
// checker/parallel/level-worker.ts and checker/graph/cycle-worker.ts are not mutated: they run
// only inside worker threads, which load the compiled dist/ code (see
// checker/compiled-module.ts), so no mutant of them could ever be reached from the
// test process.
//
// A whole run takes hours on 2 cores. A subset, as measured in README.md ("Mutation testing"):
//   npm run mutation -- --mutate 'checker/explore.ts,checker/findings.ts,checker/state-store.ts,
//     checker/successor-buffer.ts,checker/replay.ts,checker/result.ts'     (one argument)
//   npm run mutation -- --mutate 'checker/explore.ts:40-120'                (a line range)
// Fewer test files (faster, fewer mutants killed): -- --testFiles 'test/checker/*.test.ts'.
// Results: the clear-text table on stdout, dist/mutation/mutation.html and .json (under dist/,
// which git ignores). Re-runs with `-- --incremental` only test mutants whose code or tests
// changed (dist/mutation/incremental.json, local to a checkout).
//
// Mutants argued equivalent carry `// Stryker disable next-line <mutator>: equivalent, <why>`
// where they are; every other survivor is to be killed by a test.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'checker/**/*.ts',
    '!checker/parallel/level-worker.ts',
    '!checker/graph/cycle-worker.ts',
    'models/system/reductions.ts',
    'models/system/canonical.ts',
    'models/system/symmetry.ts',
    // The kernel semantics: semantics.ts and the kernel paths split from it, and the interpreter.
    'models/kernel/semantics.ts',
    'models/kernel/interpreter.ts',
    'models/kernel/syscall-checks.ts',
    'models/kernel/signal-faults.ts',
    'models/kernel/rework.ts',
    'models/kernel/notify-resume.ts',
    'models/kernel/kernel-work.ts',
    'models/kernel/ipi-races.ts',
    'models/kernel/exec.ts',
    'models/kernel/ptrace.ts',
    'models/kernel/kvm.ts',
  ],
  testFiles: [
    'test/checker/*.test.ts',
    'test/e2e/parallel-end-state.test.ts',
    'test/models/abort-reads-register.test.ts',
    'test/models/semantics.test.ts',
    'test/models/semantics-mutants.test.ts',
    'test/models/semantics-survivors.test.ts',
    'test/models/kernel-paths.test.ts',
    'test/models/kernel-races.test.ts',
    'test/models/ptrace.test.ts',
    'test/models/ptrace-mutants.test.ts',
    'test/models/sigsegv-handler.test.ts',
    'test/models/decisions.test.ts',
    'test/models/sched-yield.test.ts',
    'test/models/interpreter-mutants.test.ts',
    'test/models/syscall-checks-mutants.test.ts',
    'test/models/kvm-mutants.test.ts',
    'test/models/signal-faults-mutants.test.ts',
    'test/models/exec-mutants.test.ts',
    'test/models/rework-mutants.test.ts',
    'test/models/notify-resume-mutants.test.ts',
    'test/models/kernel-work-mutants.test.ts',
    'test/models/armed-ghost.test.ts',
    'test/models/reductions.test.ts',
    'test/models/reductions-mutants.test.ts',
    'test/models/cpu-compare-prefix.test.ts',
    'test/models/abort-pending-unsignalled.test.ts',
    'test/models/symmetry-mutants.test.ts',
    'test/models/canonical-mutants.test.ts',
    'test/models/canonical-survivors.test.ts',
    'test/models/explain.test.ts',
    'test/properties/lasso.test.ts',
    'test/library/gallery.test.ts',
    'test/library/seed.test.ts',
    'test/library/primitives.test.ts',
    'test/library/selftests.test.ts',
  ],
  // A static mutant (module-level code) would force every test to run again in a fresh process.
  ignoreStatic: true,
  ignorePatterns: ['review-out', 'dist/mutation', '.ab'],
  dryRunTimeoutMinutes: 20,
  // A mutant that loops forever is cut off after its tests' normal time x 1.5 + 4 s.
  timeoutMS: 4_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'dist/mutation/mutation.html' },
  jsonReporter: { fileName: 'dist/mutation/mutation.json' },
  incrementalFile: 'dist/mutation/incremental.json',
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
};
