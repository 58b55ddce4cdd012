/**
 * The text reports the CLI prints and `explain()` returns: a check's verdict and statistics, a
 * temporal check's verdict and lasso, a counterexample as numbered steps. Functions of the
 * plain result data (run/result.ts), so a result read back from JSON reads the same.
 */
import type { Limit } from '../checker/result.js';
import type { CheckResult, FirstCounterexample, Result, TemporalResult } from '../run/result.js';
import type { ExplainedTrace, TraceValue, ValueChange } from '../run/explained-trace.js';
import { reviewToMarkdown } from './review-markdown.js';

/** Any result in words: a check or a temporal check as the CLI prints it, a review as its Markdown matrix. */
export function formatResult(r: Result): string {
  switch (r.kind) {
    case 'check':
      return formatCheck(r);
    case 'temporal':
      return formatTemporal(r);
    case 'review':
      return reviewToMarkdown(r);
  }
}

/** What stopped an incomplete run, in words. */
function limitText(l: Limit): string {
  if (l.kind !== 'interrupted') return `the ${l.kind} limit (${l.bound})`;
  return l.signal === 'SIGTERM' ? 'SIGTERM' : 'an interrupt (Ctrl-C)';
}

/**
 * How much of the values a trace shows: `changed` (default) the initial values once, then what
 * each step changed; `full` every value at every step, the changed ones as `before→after`;
 * `none` no values.
 */
export type ValuesMode = 'full' | 'changed' | 'none';

export interface TraceTextOptions {
  /** @defaultValue 'changed' */
  readonly values?: ValuesMode;
}

/** The text report of a check (what the CLI prints). */
export function formatCheck(r: CheckResult, options: TraceTextOptions = {}): string {
  const s = r.stats;
  const lines: string[] = [];
  const head = `${r.model} under ${r.policy.name}`;
  if (r.verdict === 'pass') lines.push(`HOLDS: ${head}: every reachable state explored, no property violated`);
  else if (r.verdict === 'violation') lines.push(`VIOLATED: ${head}: ${r.property} (shortest counterexample: ${r.trace.steps.length - 1} steps)`);
  else lines.push(`INCOMPLETE: ${head}: stopped by ${limitText(r.stoppedBy)}; no verdict — the states below were covered, the rest were not`);
  const b = r.budgets;
  const bud = (v: number) => (v < 0 ? '∞' : String(v));
  lines.push(
    `  states ${s.states}, transitions ${s.transitions}, ${s.searchOrder === 'depth-first' ? 'depth-first depth' : 'depth'} ${s.depth}, ${s.seconds.toFixed(3)} s, ${Math.round(s.statesPerSecond)} states/s, ${s.bytesPerState.toFixed(1)} bytes/state (${s.stateWords} words/state)`,
  );
  if (r.verdict === 'violation' && r.first) {
    const shortest = r.secondsToShortest !== undefined ? `; shortest: ${r.trace.steps.length - 1} steps after ${r.secondsToShortest.toFixed(3)} s` : '; no shortest (a limit stopped its search)';
    lines.push(`  first counterexample: ${r.first.steps} steps after ${r.first.seconds.toFixed(3)} s (${r.first.states} states)${shortest}`);
  }
  lines.push(`  budgets: preemptions ${bud(b.preemptions)}, migrations ${bud(b.migrations)}, signals ${bud(b.signals)}, interrupts ${bud(b.interrupts)}, traps ${bud(b.traps)}`);
  for (const f of r.flags) lines.push(`  flag ${f.name}: ${f.count} states (first witness: ${f.trace.steps.length - 1} steps, --replay ${f.trace.replay})`);
  if (r.verdict === 'violation') {
    lines.push('', 'Counterexample:');
    lines.push(traceToText(r.trace, options));
  }
  return lines.join('\n');
}

/** The line the CLI prints as soon as the depth-first phase finds a counterexample. */
export function formatFirstCounterexample(first: FirstCounterexample): string {
  return `first counterexample after ${first.seconds.toFixed(3)} s, ${first.steps} steps (${first.states} states): ${first.property}, --replay ${first.trace.replay}; searching for a shortest one`;
}

/** The text report of a temporal result: verdict, then the lasso's stem and cycle in words. */
export function formatTemporal(r: TemporalResult, options: TraceTextOptions = {}): string {
  const head = `${r.model} under ${r.policy.name}: ${r.property} = ${r.formula}\n  fairness ${r.fairness}${r.finiteEvents ? ', finitely many kernel events' : ''}; product states ${r.stats.states}, transitions ${r.stats.transitions}, ${r.stats.seconds.toFixed(3)} s`;
  if (r.verdict === 'pass') return `HOLDS: ${head}`;
  // The states limit is named without its bound here (the --max-states given), as it always was.
  if (r.verdict === 'incomplete') return `INCOMPLETE: ${head}\n  stopped by ${r.stoppedBy.kind === 'states' ? 'the states limit' : limitText(r.stoppedBy)}: no verdict`;
  const cycleLen = r.trace.steps.length - 1 - r.path.loopStart;
  return `VIOLATED: ${head}\n  lasso: a stem of ${r.path.loopStart} steps, then a cycle of ${cycleLen} steps repeated forever${cycleLen === 0 ? ' (the last state repeats: the run stops there)' : ''}\n\nCounterexample:\n${traceToText(r.trace, options)}`;
}

/** Continuation lines under a step. */
const INDENT = '       ';

/**
 * A trace as numbered lines of words; under a step, the values it changed (see ValuesMode) and,
 * under the decisive step, the property it breaks and why.
 */
export function traceToText(trace: ExplainedTrace, options: TraceTextOptions = {}): string {
  const mode = options.values ?? 'changed';
  const current = new Map<string, TraceValue>();
  const lines: string[] = [];
  let cycleLine = -1;
  for (const s of trace.steps) {
    // The cycle starts in the state after step loopStart: its mark goes under that step's lines.
    if (trace.loopStart !== undefined && s.index === trace.loopStart + 1) cycleLine = lines.length;
    lines.push(`${String(s.index).padStart(3)}. ${s.witness ? '* ' : ''}${s.text}`);
    const values = s.values ?? [];
    if (mode !== 'none' && (values.length > 0 || (mode === 'full' && current.size > 0))) {
      if (s.kind === 'init') {
        for (const v of values) current.set(v.name, v.after);
        lines.push(...valueGroups(values.map((v) => ({ name: v.name, text: valueText(v.after) }))).map((g, i) => `${INDENT}${i === 0 ? 'values: ' : '        '}${g}`));
      } else if (mode === 'changed') {
        lines.push(`${INDENT}changed: ${values.map((v) => `${v.name}: ${changeText(v)}`).join(', ')}`);
      } else {
        const changed = new Map(values.map((v) => [v.name, v]));
        const all = [...current.keys()].map((name) => {
          const c = changed.get(name);
          return { name, text: c ? changeText(c) : valueText(current.get(name)!) };
        });
        for (const v of values) current.set(v.name, v.after);
        lines.push(...valueGroups(all).map((g, i) => `${INDENT}${i === 0 ? 'values: ' : '        '}${g}`));
      }
    }
    if (trace.decisive?.step === s.index) lines.push(`${INDENT}^ decisive step, breaks ${trace.decisive.property}: ${trace.decisive.why}`);
  }
  if (trace.loopStart !== undefined && cycleLine < 0) cycleLine = lines.length;
  if (cycleLine >= 0) lines.splice(cycleLine, 0, `     --- cycle starts here (repeats forever) ---`);
  lines.push(`     replay: --replay ${trace.replay}`);
  return lines.join('\n');
}

function valueText(v: TraceValue): string {
  return v === null ? '(none)' : String(v);
}

function changeText(v: ValueChange): string {
  return `${valueText(v.before ?? null)}→${valueText(v.after)}`;
}

/**
 * Values grouped one line per holder: memory first, then each thread (`T1: r0=0 cpu_id=0 ...`,
 * a signal handler's registers as `T1@sig1: ...`), in the order given.
 */
function valueGroups(values: readonly { name: string; text: string }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const v of values) {
    const dot = v.name.indexOf('.');
    const owner = dot < 0 || v.name.includes('[') ? '' : v.name.slice(0, dot);
    const field = owner === '' ? v.name : v.name.slice(dot + 1);
    const group = groups.get(owner) ?? [];
    group.push(`${field}=${v.text}`);
    groups.set(owner, group);
  }
  return [...groups].map(([owner, fields]) => (owner === '' ? fields.join(', ') : `${owner}: ${fields.join(' ')}`));
}
