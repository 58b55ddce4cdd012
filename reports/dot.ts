/**
 * A counterexample as a Graphviz swim-lane diagram: one column per CPU (or per thread), time
 * running down, one row per step so that rows line up across lanes.
 *
 * Layout, for readers of the generated DOT:
 * - a header row: the time axis head, one header node per lane (each lane is a cluster), the
 *   legend head; invisible same-rank edges fix their left-to-right order;
 * - an invisible chain `axis_head -> t0 -> t1 -> ...` (the time axis, left) and one invisible
 *   chain per lane through its step nodes; a `rank=same` row per step ties `t<i>` to the step
 *   node (and its decision badges), so step i is drawn below step i-1 whichever lane it is in;
 * - the kernel decisions that are events of their own (abort, lazy clear, SIGSEGV, sigreturn)
 *   are badge nodes to the right of their step; the others are lines of the step's label;
 * - the values a step changed (`T1.r1: 0→1, counter[0]: 0→1`, in blue) are a note to the
 *   right of it, the initial values one (grey) beside the initial state; the decisive step gets a
 *   badge naming the property it breaks and why.
 *
 * Output is a pure function of the input: the same trace gives byte-identical DOT.
 *
 * Kept by hand, not ts-graphviz 3.0.7 (measured 2026-12-04): its `toDot` writes statements
 * grouped by kind (nodes, subgraphs, then edges), and Graphviz lays out in statement order, so
 * the lanes would move; it passes backslashes through (a `\N` in a model's label would expand to
 * the node's name) and writes line breaks as centred `\n` where these labels need left-justified
 * `\l` (escape.ts); on a 2 000-state graph it is 8.7× slower (370 ms against 42 ms) and its
 * one-attribute-per-line text 1.33× larger; 984 kB installed.
 */
import type { Decision, ExplainedStep, ExplainedTrace, StepKind, ValueChange } from '../run/explained-trace.js';
import { dotAttrs as attrs, dotId, dotString, type DotAttrs as Attrs } from './escape.js';

export interface TraceDotOptions {
  /**
   * `cpu` (default): one lane per CPU of the trace, plus a "kernel / off-CPU" lane for steps
   * after which the thread is on no CPU (and for the initial state). `thread`: one lane per
   * thread, plus a "kernel" lane for steps of no thread (the initial state).
   */
  readonly lanes?: 'cpu' | 'thread';
}

interface KindStyle {
  readonly shape: string;
  readonly color: string;
  /** Extra `style` flags besides `filled`. */
  readonly style?: string;
  /** For `shape=polygon`: the slant; predefined slanted shapes grow very wide with tall labels. */
  readonly skew?: number;
  readonly legend: string;
}

const KIND_STYLES: Readonly<Record<StepKind, KindStyle>> = {
  init: { shape: 'folder', color: 'gray40', legend: 'initial state' },
  instruction: { shape: 'box', color: 'black', style: 'rounded', legend: 'instruction' },
  schedule: { shape: 'house', color: 'darkgreen', legend: 'scheduled onto a CPU' },
  wake: { shape: 'house', color: 'darkgreen', style: 'dashed', legend: 'wake-up' },
  ptrace: { shape: 'cds', color: 'darkred', legend: 'tracer sets the IP (ptrace)' },
  preempt: { shape: 'hexagon', color: 'darkorange', legend: 'preemption' },
  migrate: { shape: 'polygon', skew: 0.25, color: 'blue', legend: 'migration' },
  signal: { shape: 'octagon', color: 'purple', legend: 'signal delivery' },
  'signal-pending': { shape: 'octagon', color: 'purple', style: 'dashed', legend: 'signal queued' },
  interrupt: { shape: 'hexagon', color: 'brown', style: 'dashed', legend: 'interrupt' },
  'task-work': { shape: 'component', color: 'teal', legend: 'task work (return to user)' },
  'kernel-work': { shape: 'component', color: 'brown', style: 'dashed', legend: 'kernel work resumed (an IPI could land before it)' },
  trap: { shape: 'invtrapezium', color: 'brown', legend: 'trap into the kernel' },
  'trap-sleep': { shape: 'invtrapezium', color: 'brown', style: 'dashed', legend: 'trap, thread sleeps' },
  'syscall-exit': { shape: 'trapezium', color: 'teal', legend: 'return from syscall' },
  'membarrier-ipi': { shape: 'septagon', color: 'magenta4', legend: 'membarrier IPI' },
};

type BadgeKind = 'abort' | 'lazy-clear' | 'sigsegv' | 'sigreturn';

interface BadgeStyle {
  readonly shape: string;
  readonly color: string;
  readonly fill: string;
  /** First line of the badge; the decision's own text follows. */
  readonly title: string;
}

/** Decisions drawn as nodes of their own: they change control flow or the rseq state visibly. */
const BADGE_STYLES: Readonly<Record<BadgeKind, BadgeStyle>> = {
  abort: { shape: 'rarrow', color: 'red3', fill: '#ffd6d6', title: 'IP moved to abort_ip' },
  'lazy-clear': { shape: 'tab', color: 'gray30', fill: '#eeeeee', title: 'rseq_cs cleared (lazily)' },
  sigsegv: { shape: 'doubleoctagon', color: 'red4', fill: '#ff9a9a', title: 'SIGSEGV' },
  sigreturn: { shape: 'invhouse', color: 'purple', fill: '#ecdcf5', title: 'sigreturn' },
};

const BADGE_ORDER: readonly BadgeKind[] = ['abort', 'lazy-clear', 'sigsegv', 'sigreturn'];

function badgeKind(d: Decision): BadgeKind | undefined {
  return (BADGE_ORDER as readonly string[]).includes(d.kind) ? (d.kind as BadgeKind) : undefined;
}

// A plain "Helvetica": Graphviz sizes text with its built-in Helvetica metrics only for a font
// name it recognises (a list like "Helvetica,Arial" gets narrower Times metrics and text
// overflows its node); its SVG output names sans-serif as the fallback family itself.
const FONT = 'Helvetica';
/** Label lines are wrapped at this many characters to keep lanes narrow. */
const WRAP = 42;
const IN_CS_FILL = '#ffe9a8';
const PLAIN_FILL = 'white';
const WITNESS_COLOR = 'red';
const MIGRATION_COLOR = 'blue';
const CYCLE_COLOR = 'darkgreen';
const VALUES_COLOR = 'navy';
const DECISIVE_COLOR = 'red3';
const DECISIVE_FILL = '#fff0b3';
const INVISIBLE: Attrs = { style: 'invis', weight: 10 };
const SAME_RANK = `${dotId('rank')}=${dotString('same')}`;

interface Lane {
  readonly id: string;
  readonly title: string;
  /** Positions (in `trace.steps`) of the steps drawn in this lane, in order. */
  readonly positions: number[];
}

/** Where a thread was before a step: its last CPU and the step that put it there. */
interface ThreadPlace {
  readonly cpu: string;
  readonly position: number;
}

/** Per step, facts that depend on the steps before it. */
interface StepContext {
  /** The CPU the thread was last on before this step, if any earlier step put it on one. */
  readonly previous?: ThreadPlace;
}

/**
 * Renders `trace` as a DOT digraph (see the module comment for the layout).
 *
 * A step sits in the lane of the CPU its thread is on after the step (`step.cpu`), or in the
 * thread's lane in thread mode. Nodes are filled while the step's thread has an armed `rseq_cs`
 * and its IP inside that c.s.; witness steps get a bold red border; in CPU mode a migration is
 * also an edge from the thread's last step on its old CPU to the migrate step; for a lasso, a
 * "cycle" edge goes from the last step back to the step whose index is `loopStart`.
 */
export function traceToDot(trace: ExplainedTrace, options: TraceDotOptions = {}): string {
  const mode = options.lanes ?? 'cpu';
  const steps = trace.steps;
  const contexts = stepContexts(steps);
  const lanes = assignLanes(trace, mode);
  const loopPosition =
    trace.loopStart === undefined ? -1 : steps.findIndex((s) => s.index === trace.loopStart);
  // Migration edges only make sense between CPU lanes.
  const migrations =
    mode === 'cpu'
      ? steps.flatMap((step, p) => {
          const from = migrationSource(step, contexts[p]!);
          return from === undefined ? [] : [{ from, to: p, thread: step.thread }];
        })
      : [];

  const out: string[] = [];
  const line = (depth: number, text: string): void => {
    out.push(text === '' ? '' : '  '.repeat(depth) + text);
  };

  line(0, `digraph ${dotId('trace')} {`);
  line(1, `graph ${attrs({
    newrank: 'true',
    rankdir: 'TB',
    nodesep: 0.25,
    ranksep: 0.2,
    fontname: FONT,
    labelloc: 't',
    labeljust: 'l',
    label: graphTitle(trace, loopPosition),
  })};`);
  // A little more horizontal margin than the default: viewers' fonts differ from the metrics.
  line(1, `node ${attrs({ fontname: FONT, fontsize: 10, shape: 'box', style: 'filled', fillcolor: PLAIN_FILL, margin: '0.14,0.06' })};`);
  line(1, `edge ${attrs({ fontname: FONT, fontsize: 9 })};`);

  // Time axis.
  line(1, '');
  line(1, `${dotId('axis_head')} ${attrs({ shape: 'plaintext', style: 'solid', label: 'step', fontcolor: 'gray40' })};`);
  steps.forEach((step, p) => {
    const inCycle = loopPosition >= 0 && p >= loopPosition;
    line(1, `${dotId(axisId(p))} ${attrs({
      shape: 'plaintext',
      style: 'solid',
      label: String(step.index),
      fontcolor: inCycle ? CYCLE_COLOR : 'gray40',
    })};`);
  });
  if (steps.length > 0) {
    line(1, `${chain(['axis_head', ...steps.map((_, p) => axisId(p))])} ${attrs(INVISIBLE)};`);
  }

  // Lanes.
  for (const lane of lanes) {
    line(1, '');
    line(1, `subgraph ${dotId(`cluster_${lane.id}`)} {`);
    line(2, `graph ${attrs({ label: '', style: 'rounded,filled', color: 'gray70', fillcolor: '#f6f7fb' })};`);
    line(2, `${dotId(`${lane.id}_head`)} ${attrs({
      label: lane.title,
      shape: 'box',
      style: 'filled,bold',
      fillcolor: '#dde6f5',
      fontsize: 12,
    })};`);
    for (const p of lane.positions) {
      const step = steps[p]!;
      line(2, `${dotId(stepId(p))} ${attrs(stepAttrs(step, contexts[p]!, mode))};`);
      badges(step).forEach((b, k) => {
        line(2, `${dotId(badgeId(p, k))} ${attrs(badgeAttrs(b))};`);
      });
      for (const n of notes(trace, step, p)) line(2, `${dotId(n.id)} ${attrs(n.attrs)};`);
    }
    // A lane with no steps has nothing to chain: a lone node statement would restyle its header.
    if (lane.positions.length > 0) line(2, `${chain([`${lane.id}_head`, ...lane.positions.map(stepId)])} ${attrs(INVISIBLE)};`);
    for (const p of lane.positions) {
      badges(steps[p]!).forEach((_, k) => {
        line(2, `${chain([stepId(p), badgeId(p, k)])} ${attrs({ style: 'dashed', arrowhead: 'none', color: 'gray50' })};`);
      });
      for (const n of notes(trace, steps[p]!, p)) line(2, `${chain([stepId(p), n.id])} ${attrs(n.edge === undefined ? { style: 'invis' } : { style: 'dotted', arrowhead: 'none', color: n.edge })};`);
    }
    line(1, '}');
  }

  // Rows: one rank per step, across all lanes.
  line(1, '');
  const headRow = ['axis_head', ...lanes.map((l) => `${l.id}_head`)];
  const legend = legendEntries(trace, migrations.length > 0, loopPosition);
  if (legend.length > 0) headRow.push('legend_head');
  line(1, `{ ${SAME_RANK}; ${headRow.map(dotId).join('; ')}; }`);
  if (headRow.length > 1) line(1, `${chain(headRow)} ${attrs({ style: 'invis' })};`);
  steps.forEach((step, p) => {
    const row = [axisId(p), stepId(p), ...badges(step).map((_, k) => badgeId(p, k)), ...notes(trace, step, p).map((n) => n.id)];
    if (p === loopPosition) row.unshift('cycle_note');
    line(1, `{ ${SAME_RANK}; ${row.map(dotId).join('; ')}; }`);
  });

  // Migrations between CPU lanes.
  if (migrations.length > 0) line(1, '');
  for (const m of migrations) {
    line(1, `${chain([stepId(m.from), stepId(m.to)])} ${attrs({
      color: MIGRATION_COLOR,
      fontcolor: MIGRATION_COLOR,
      style: 'bold',
      constraint: 'false',
      label: `${m.thread ?? ''} migrates`,
    })};`);
  }

  // Lasso: the cycle back edge and its note.
  if (loopPosition >= 0) {
    const first = steps[loopPosition]!;
    const last = steps[steps.length - 1]!;
    line(1, '');
    line(1, `${dotId('cycle_note')} ${attrs({
      shape: 'note',
      color: CYCLE_COLOR,
      fontcolor: CYCLE_COLOR,
      label: labelText([`cycle: steps ${first.index}..${last.index}`, 'repeat forever']),
    })};`);
    line(1, `${chain(['cycle_note', axisId(loopPosition)])} ${attrs({ style: 'invis' })};`);
    line(1, `${chain([stepId(steps.length - 1), stepId(loopPosition)])} ${attrs({
      color: CYCLE_COLOR,
      fontcolor: CYCLE_COLOR,
      style: 'bold',
      penwidth: 2,
      constraint: 'false',
      label: 'cycle',
    })};`);
  }

  // Legend.
  if (legend.length > 0) {
    line(1, '');
    line(1, `subgraph ${dotId('cluster_legend')} {`);
    line(2, `graph ${attrs({ label: '', style: 'rounded', color: 'gray70' })};`);
    line(2, `${dotId('legend_head')} ${attrs({ shape: 'plaintext', style: 'solid', label: 'Legend', fontsize: 12 })};`);
    legend.forEach((entry, k) => {
      line(2, `${dotId(`legend_${k}`)} ${attrs(entry)};`);
    });
    line(2, `${chain(['legend_head', ...legend.map((_, k) => `legend_${k}`)])} ${attrs(INVISIBLE)};`);
    line(1, '}');
  }

  line(0, '}');
  return out.join('\n') + '\n';
}

function axisId(p: number): string {
  return `t${p}`;
}

function stepId(p: number): string {
  return `s${p}`;
}

function badgeId(p: number, k: number): string {
  return `s${p}_d${k}`;
}

/** `a -> b -> c`, every identifier escaped. */
function chain(ids: readonly string[]): string {
  return ids.map(dotId).join(' -> ');
}

function graphTitle(trace: ExplainedTrace, loopPosition: number): string {
  const lines = [
    `model ${trace.model}, policy ${trace.policy}`,
    // A flag's witness (a kill the policy promised) is no violation.
    `${trace.loopStart !== undefined ? 'lasso for' : trace.property === 'killed-as-promised' ? 'killed, as the policy promised (no violation)' : 'violates'}: ${trace.property}`,
  ];
  if (trace.loopStart !== undefined) {
    lines.push(
      loopPosition >= 0
        ? `the steps from ${trace.loopStart} on repeat forever`
        : `cycle start ${trace.loopStart} is not a step of this trace`,
    );
  }
  return lines.join('\n') + '\n';
}

function stepContexts(steps: readonly ExplainedStep[]): StepContext[] {
  const lastPlace = new Map<string, ThreadPlace>();
  return steps.map((step, p) => {
    if (step.thread === null) return {};
    const previous = lastPlace.get(step.thread);
    if (step.cpu !== null) lastPlace.set(step.thread, { cpu: step.cpu, position: p });
    return previous === undefined ? {} : { previous };
  });
}

/**
 * The position of the thread's last step on another CPU when `step` migrates it, so the edge
 * shows where it came from (its last on-CPU step, as off-CPU steps in between say nothing).
 */
function migrationSource(step: ExplainedStep, ctx: StepContext): number | undefined {
  if (step.kind !== 'migrate' || step.cpu === null || ctx.previous === undefined) return undefined;
  return ctx.previous.cpu === step.cpu ? undefined : ctx.previous.position;
}

function assignLanes(trace: ExplainedTrace, mode: 'cpu' | 'thread'): Lane[] {
  const named = new Map<string, Lane>();
  const lanes: Lane[] = [];
  const addNamed = (name: string): Lane => {
    let lane = named.get(name);
    if (lane === undefined) {
      lane = { id: `lane${lanes.length}`, title: name, positions: [] };
      named.set(name, lane);
      lanes.push(lane);
    }
    return lane;
  };
  for (const name of mode === 'cpu' ? trace.cpus : trace.threads) addNamed(name);
  // Steps naming a CPU/thread missing from the header still get a lane, after the known ones.
  const kernelPositions: number[] = [];
  trace.steps.forEach((step, p) => {
    const key = mode === 'cpu' ? step.cpu : step.thread;
    if (key === null) kernelPositions.push(p);
    else addNamed(key).positions.push(p);
  });
  if (kernelPositions.length > 0) {
    lanes.push({
      id: 'lane_kernel',
      title: mode === 'cpu' ? 'kernel / off-CPU' : 'kernel',
      positions: kernelPositions,
    });
  }
  return lanes;
}

function inCs(step: ExplainedStep): boolean {
  if (step.thread === null) return false;
  const armed = step.rseqCs[step.thread];
  return armed !== undefined && armed !== null && step.inCs[step.thread] === true;
}

function badges(step: ExplainedStep): Decision[] {
  return step.decisions.filter((d) => badgeKind(d) !== undefined);
}

function stepAttrs(step: ExplainedStep, ctx: StepContext, mode: 'cpu' | 'thread'): Attrs {
  const style = KIND_STYLES[step.kind];
  const flags = ['filled'];
  if (style.style !== undefined) flags.push(style.style);
  if (step.witness) flags.push('bold');
  return {
    label: stepLabel(step, ctx, mode),
    tooltip: step.text,
    shape: style.shape,
    ...shapeExtras(style),
    style: flags.join(','),
    color: step.witness ? WITNESS_COLOR : style.color,
    penwidth: step.witness ? 3 : undefined,
    fillcolor: inCs(step) ? IN_CS_FILL : PLAIN_FILL,
  };
}

function stepLabel(step: ExplainedStep, ctx: StepContext, mode: 'cpu' | 'thread'): string {
  let head = `#${step.index}`;
  if (mode === 'cpu' && step.thread !== null) head += ` ${step.thread}`;
  if (mode === 'thread' && step.thread !== null) head += step.cpu === null ? ' off-CPU' : ` on ${step.cpu}`;
  if (step.witness) head += '  (witness)';
  const lines = [head, eventLine(step, ctx)];
  if (step.thread !== null) {
    const cs = step.rseqCs[step.thread];
    if (cs !== undefined && cs !== null) lines.push(`rseq_cs = ${cs}${inCs(step) ? ', IP in c.s.' : ''}`);
  }
  for (const d of step.decisions) if (badgeKind(d) === undefined) lines.push(`- ${d.text}`);
  return labelText(lines);
}

function shapeExtras(style: KindStyle): Attrs {
  return style.skew === undefined ? {} : { sides: 4, skew: style.skew };
}

/** Joins wrapped lines; the trailing newline makes the last line left-justified too (see dotString). */
function labelText(lines: readonly string[]): string {
  return lines.flatMap((l) => wrap(l, WRAP)).join('\n') + '\n';
}

/**
 * Greedy word wrap of one line at `width` characters; continuation lines are indented by two
 * spaces. A line that fits is kept as is; a word longer than `width` is kept whole rather than
 * cut mid-identifier.
 */
function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(/ +/)) {
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      out.push(current);
      current = `  ${word}`;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

function eventLine(step: ExplainedStep, ctx: StepContext): string {
  const was = ctx.previous?.cpu;
  switch (step.kind) {
    case 'instruction': {
      const ins = step.instruction;
      if (ins === undefined) return 'instruction';
      const text = [ins.text, ...(ins.fused ?? [])].join('; ');
      return ins.label === undefined ? text : `${ins.label}: ${text}`;
    }
    case 'migrate':
      return was !== undefined && was !== step.cpu
        ? `migration ${was} -> ${step.cpu ?? 'no CPU'}`
        : `migration to ${step.cpu ?? 'no CPU'}`;
    case 'preempt':
      return was !== undefined ? `preemption on ${was}` : 'preemption';
    case 'schedule':
      return `scheduled on ${step.cpu ?? 'no CPU'}`;
    default:
      return KIND_STYLES[step.kind].legend;
  }
}

/** A node beside a step that is no kernel decision: the values it changed, the decisive-step badge. */
interface Note {
  readonly id: string;
  readonly attrs: Attrs;
  /** Colour of the dotted edge tying it to its step; none: an invisible one (values sit right beside it, and drawn edges weigh on a page of diagrams). */
  readonly edge?: string;
}

function notes(trace: ExplainedTrace, step: ExplainedStep, p: number): Note[] {
  const out: Note[] = [];
  const values = step.values ?? [];
  if (values.length > 0) {
    const init = step.kind === 'init';
    out.push({
      id: `s${p}_values`,
      attrs: {
        label: labelText(init ? initialValueLines(values) : [values.map(changeText).join(', ')]),
        shape: 'note',
        // Not bold: Graphviz sizes a node for Helvetica-Bold as if narrower than Helvetica, so
        // bold text ran 4 to 21 px out of its note (measured in Chromium); blue marks it instead.
        fontcolor: init ? 'gray25' : VALUES_COLOR,
        color: init ? 'gray50' : VALUES_COLOR,
        fillcolor: init ? '#f4f4f4' : '#eef3ff',
        fontsize: 9,
      },
    });
  }
  const decisive = trace.decisive;
  if (decisive !== undefined && decisive.step === step.index) {
    out.push({
      id: `s${p}_decisive`,
      attrs: {
        label: labelText([`DECISIVE: breaks ${decisive.property}`, decisive.why]),
        shape: 'box',
        style: 'filled,bold',
        penwidth: 2,
        color: DECISIVE_COLOR,
        fontcolor: DECISIVE_COLOR,
        fillcolor: DECISIVE_FILL,
        fontsize: 9,
      },
      edge: DECISIVE_COLOR,
    });
  }
  return out;
}

function changeText(v: ValueChange): string {
  const text = (x: ValueChange['after'] | undefined): string => (x === null || x === undefined ? '(none)' : String(x));
  return `${v.name}: ${text(v.before)}→${text(v.after)}`;
}

/** The initial values, one line per holder: memory, then each thread. */
function initialValueLines(values: readonly ValueChange[]): string[] {
  const groups = new Map<string, string[]>();
  for (const v of values) {
    const owner = v.scope === 'memory' ? '' : v.name.slice(0, v.name.indexOf('.'));
    const field = owner === '' ? v.name : v.name.slice(owner.length + 1);
    groups.set(owner, [...(groups.get(owner) ?? []), `${field}=${v.after === null ? '(none)' : String(v.after)}`]);
  }
  return ['initial values', ...[...groups].map(([owner, fields]) => (owner === '' ? fields.join(' ') : `${owner}: ${fields.join(' ')}`))];
}

function badgeAttrs(d: Decision): Attrs {
  const style = BADGE_STYLES[badgeKind(d)!];
  return {
    label: labelText([style.title, d.text]),
    tooltip: d.text,
    shape: style.shape,
    color: style.color,
    fillcolor: style.fill,
    fontsize: 9,
  };
}

/** Legend nodes for what this trace actually shows, in a fixed order. */
function legendEntries(trace: ExplainedTrace, migrations: boolean, loopPosition: number): Attrs[] {
  const entries: Attrs[] = [];
  const kinds = new Set(trace.steps.map((s) => s.kind));
  for (const kind of Object.keys(KIND_STYLES) as StepKind[]) {
    if (!kinds.has(kind)) continue;
    const style = KIND_STYLES[kind];
    entries.push({
      label: style.legend,
      shape: style.shape,
      ...shapeExtras(style),
      style: ['filled', style.style].filter((f) => f !== undefined).join(','),
      color: style.color,
    });
  }
  const decisionKinds = new Set(trace.steps.flatMap((s) => s.decisions.map((d) => d.kind)));
  for (const kind of BADGE_ORDER) {
    if (!decisionKinds.has(kind)) continue;
    const style = BADGE_STYLES[kind];
    entries.push({ label: style.title, shape: style.shape, color: style.color, fillcolor: style.fill, fontsize: 9 });
  }
  if (trace.steps.some(inCs)) {
    entries.push({ label: 'thread in its armed c.s.', shape: 'box', fillcolor: IN_CS_FILL });
  }
  if (trace.steps.some((s) => s.witness)) {
    entries.push({ label: 'witness step', shape: 'box', style: 'filled,bold', color: WITNESS_COLOR, penwidth: 3 });
  }
  if (migrations) {
    entries.push({ label: 'blue edge: thread moved\nto another CPU\n', shape: 'plaintext', style: 'solid', fontcolor: MIGRATION_COLOR });
  }
  if (loopPosition >= 0) {
    entries.push({ label: 'green edge: the cycle\nof a lasso\n', shape: 'plaintext', style: 'solid', fontcolor: CYCLE_COLOR });
  }
  if (trace.steps.some((s) => s.kind !== 'init' && (s.values ?? []).length > 0)) {
    entries.push({ label: 'values the step changed\n(before→after)\n', shape: 'note', fontcolor: VALUES_COLOR, color: VALUES_COLOR, fillcolor: '#eef3ff', fontsize: 9 });
  }
  if (trace.decisive !== undefined) {
    entries.push({ label: 'decisive step: where\nthe property breaks\n', shape: 'box', style: 'filled,bold', penwidth: 2, color: DECISIVE_COLOR, fontcolor: DECISIVE_COLOR, fillcolor: DECISIVE_FILL, fontsize: 9 });
  }
  return entries;
}
