/**
 * What a trace diagram (reports/dot.ts) must show, read back from the DOT and compared with the
 * trace it was drawn from. Golden files pin the bytes; these checks pin the meaning, so that an
 * UPDATE_GOLDEN=1 run over a wrong drawing still fails.
 */
import { expect } from 'vitest';
import type { ExplainedTrace } from '../../run/explained-trace.js';

/** Decision kinds drawn as badge nodes beside their step (reports/dot.ts BADGE_ORDER). */
const BADGE_KINDS = new Set(['abort', 'lazy-clear', 'sigsegv', 'sigreturn']);

interface DotFacts {
  /** Lane header labels, left to right, each with the step positions drawn in that lane. */
  readonly lanes: { readonly head: string; readonly steps: number[] }[];
  /** Step positions drawn as witnesses (bold red border), ascending. */
  readonly witnesses: number[];
  /** Badge nodes per step position. */
  readonly badges: Map<number, string[]>;
  /** [from, to] step positions of the green cycle edge, if any. */
  readonly cycle: [number, number] | undefined;
  /** [from, to] step positions of the blue migration edges. */
  readonly migrations: [number, number][];
}

/** Reads lanes, witnesses, badges and the cycle and migration edges of a trace diagram. */
export function dotFacts(dot: string): DotFacts {
  const lanes = [...dot.matchAll(/^ {2}subgraph cluster_lane\w* \{\n([\s\S]*?)\n {2}\}$/gm)].map((m) => ({
    head: /^ {4}lane\w*_head \[label="([^"]*)"/m.exec(m[1]!)![1]!,
    steps: [...m[1]!.matchAll(/^ {4}s(\d+) \[label=/gm)].map((s) => Number(s[1])),
  }));
  const witnesses = [...dot.matchAll(/^ {4}s(\d+) \[[^\n]*color="red", penwidth="3"/gm)].map((m) => Number(m[1])).sort((x, y) => x - y);
  const badges = new Map<number, string[]>();
  for (const m of dot.matchAll(/^ {4}s(\d+)_d\d+ \[label="([^"]*)"/gm)) badges.set(Number(m[1]), [...(badges.get(Number(m[1])) ?? []), m[2]!]);
  const c = /^ {2}s(\d+) -> s(\d+) \[[^\n]*label="cycle"\];$/m.exec(dot);
  const migrations = [...dot.matchAll(/^ {2}s(\d+) -> s(\d+) \[color="blue"[^\n]*label="[^"]* migrates"\];$/gm)].map((m): [number, number] => [Number(m[1]), Number(m[2])]);
  return { lanes, witnesses, badges, cycle: c ? [Number(c[1]), Number(c[2])] : undefined, migrations };
}

/**
 * The diagram shows `trace`: one lane per CPU (or thread) plus the kernel lane, every step once
 * and in its lane, the witness steps and only those, one badge per abort / lazy clear / SIGSEGV /
 * sigreturn decision, the cycle edge from the last step back to loopStart, and an edge for each
 * migration from another CPU (CPU lanes only).
 */
export function expectDotShowsTrace(dot: string, trace: ExplainedTrace, lanes: 'cpu' | 'thread' = 'cpu'): void {
  const facts = dotFacts(dot);
  const names = lanes === 'cpu' ? trace.cpus : trace.threads;
  const kernel = lanes === 'cpu' ? 'kernel / off-CPU' : 'kernel';
  expect(facts.lanes.map((l) => l.head)).toEqual([...names, kernel]);
  const laneOf = (p: number): string => {
    const s = trace.steps[p]!;
    return (lanes === 'cpu' ? s.cpu : s.thread) ?? kernel;
  };
  for (const lane of facts.lanes) {
    const want = trace.steps.map((_, p) => p).filter((p) => laneOf(p) === lane.head);
    expect(lane.steps, `steps in lane ${lane.head}`).toEqual(want);
  }
  expect(facts.witnesses).toEqual(trace.steps.flatMap((s, p) => (s.witness ? [p] : [])));
  trace.steps.forEach((s, p) => {
    const wanted = s.decisions.filter((d) => BADGE_KINDS.has(d.kind));
    expect(facts.badges.get(p) ?? [], `badges of step ${p}`).toHaveLength(wanted.length);
  });
  const loop = trace.loopStart === undefined ? -1 : trace.steps.findIndex((s) => s.index === trace.loopStart);
  expect(facts.cycle).toEqual(loop < 0 ? undefined : [trace.steps.length - 1, loop]);
  // A migration edge runs from the thread's last step on its old CPU to the migrate step.
  const migrations = trace.steps.flatMap((s, p): [number, number][] => {
    if (lanes === 'thread' || s.kind !== 'migrate' || s.cpu === null) return [];
    let from = p - 1;
    while (from >= 0 && (trace.steps[from]!.thread !== s.thread || trace.steps[from]!.cpu === null)) from--;
    return from >= 0 && trace.steps[from]!.cpu !== s.cpu ? [[from, p]] : [];
  });
  expect(facts.migrations).toEqual(migrations);
}
