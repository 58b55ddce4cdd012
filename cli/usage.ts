/** What `rseq-check help` prints (and an unknown command quotes). */
export const usage = `rseq-check: exhaustive model checking of Linux restartable sequences

usage:
  rseq-check check MODEL [--policy P] [--knob k=v]... [--param k=v]... [--property NAME]...
                   [--preemptions N] [--migrations N] [--signals N] [--interrupts N] [--traps N]
                   [--max-states N] [--max-seconds S] [--max-memory MB] [--workers N] [--json] [--quiet]
                   [--search first-then-shortest|bfs|dfs]   (default: a depth-first search reports the
                                     first counterexample at once, then a breadth-first one finds a shortest)
                   [--no-reduce] [--no-symmetry]   (explore without the partial-order / symmetry reductions)
                   [--report DIR] [--graph FILE.dot|FILE.svg]   (the whole state graph of a small model)
                   [--ltl FORMULA] [--property progress|no-livelock|no-signal-nesting|abort-before-cs-step]
                   [--fairness weak|strong|none] [--finite-events]
  rseq-check review [--out DIR] [--workers N]   every seed scenario under every kernel preset and proposal
  rseq-check report RESULT.json -o report.html   render a saved --json result as a self-contained HTML report
  rseq-check litmus MODEL|--suite [--policy P] [--runs N] [--seconds S]
                                     run the model as real rseq C code on this kernel and compare
  rseq-check models                  the built-in models and their parameters
  rseq-check gallery                 the known-bug gallery (check one: rseq-check check gallery/NAME)
  rseq-check policies                the presets and their knobs

MODEL is a built-in name, gallery/NAME, or a JSON model file.
exit: 0 holds, 1 violated, 2 bad input, 3 incomplete (a limit or Ctrl-C stopped the run)`;
