/**
 * Self-contained HTML reports: one file, readable offline, that never touches the network.
 *
 * - Everything is inline: the CSS, and each counterexample's swim-lane diagram as SVG (rendered
 *   from `traceToDot` by the WebAssembly Graphviz of reports/svg.ts). No font, no image file, and
 *   no script but the review page's filter (allowed by its hash); a Content-Security-Policy `default-src 'none'` in the page makes the browser refuse any
 *   fetch should one ever slip in.
 * - Every piece of text from a result (model, thread, label and instruction names, policy names,
 *   step texts) goes through `htmlEscape`.
 * - A check report: the run's summary (model, policy and every knob value, verdict, budgets),
 *   statistics, the counterexample (diagram and numbered steps in words, witness steps marked,
 *   kernel decisions listed, the initial values and each step's changed values, the decisive
 *   step badged with the property it breaks, the replay token), the flags' witnesses, and the
 *   placement-coverage table.
 * - A review report: review-html.ts, built from this file's pieces.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Limit } from '../checker/result.js';
import type { CoverageReport } from '../models/system/coverage.js';
import type { ExplainedStep, ExplainedTrace, TraceValue, ValueChange } from '../run/explained-trace.js';
import type { BudgetsIR } from '../models/ir/types.js';
import { knobDefs, type Policy } from '../models/kernel/policy.js';
import { resolvePreset } from '../models/kernel/presets.js';
import type { CheckResult } from '../run/result.js';
import { traceToDot } from './dot.js';
import { htmlEscape as h } from './escape.js';
import { renderSvg } from './svg.js';
import { buildProvenance, type Provenance } from '../run/provenance.js';
import { renderProvenanceFooter } from './provenance-html.js';
import { eventKindWords } from './event-words.js';
import { renderCoveragePlot } from './plots/coverage.js';
import { renderLevelPlot } from './plots/levels.js';

export interface HtmlReportOptions {
  /** The page title. @defaultValue derived from the result */
  readonly title?: string;
  /** Swim lanes of the diagrams: one per CPU or one per thread. @defaultValue 'cpu' */
  readonly lanes?: 'cpu' | 'thread';
  /** Draw the counterexample diagrams (SVG); false leaves only the steps in words. @defaultValue true */
  readonly diagrams?: boolean;
}

// ---- check ---------------------------------------------------------------------------------------

/** The HTML report of one check result (a `CheckResult` or its JSON data). */
export async function renderCheckHtml(result: CheckResult, options: HtmlReportOptions = {}): Promise<string> {
  const title = options.title ?? `rseq-check: ${result.model} under ${result.policy.name}`;
  const parts: string[] = [];
  parts.push(`<header><h1>${h(title)}</h1>${verdictBanner(result)}</header>`);
  const toc: [string, string][] = [['summary', 'Summary'], ['policy', 'Policy'], ['statistics', 'Statistics']];
  if (result.verdict === 'violation') toc.push(['counterexample', 'Counterexample']);
  if (result.flags.length > 0) toc.push(['flags', 'Flags']);
  toc.push(['coverage', 'Placement coverage']);
  parts.push(nav(toc));

  parts.push(`<section id="summary"><h2>Summary</h2>${keyValueTable([
    ['model', h(result.model)],
    ['policy', `<code>${h(result.policy.name)}</code>`],
    ['verdict', verdictText(result)],
    ...(result.verdict === 'violation' ? [['property', `<code>${h(result.property)}</code>`] as [string, string]] : []),
    ...(result.verdict === 'incomplete' ? [['stopped by', h(limitText(result.stoppedBy))] as [string, string]] : []),
    ['budgets', budgetsText(result.budgets)],
  ])}</section>`);

  parts.push(`<section id="policy"><h2>Policy <code>${h(result.policy.name)}</code></h2>${policyTable(result.policy)}</section>`);
  parts.push(`<section id="statistics"><h2>Statistics</h2>${statsTable(result)}${await checkPlots(result)}</section>`);

  if (result.verdict === 'violation') {
    parts.push(
      await traceSection(result.trace, {
        id: 'counterexample',
        heading: `Counterexample: ${result.property} violated`,
        level: 2,
        svgId: 'cx',
        options,
      }),
    );
  }
  if (result.flags.length > 0) {
    const flags: string[] = [`<section id="flags"><h2>Flags</h2><p>Conditions reported without being violations, each with its shortest witness.</p><ul>`];
    for (const f of result.flags) flags.push(`<li><a href="#flag-${h(slug(f.name))}"><code>${h(f.name)}</code></a>: ${num(f.count)} states</li>`);
    flags.push('</ul>');
    for (const [i, f] of result.flags.entries()) {
      flags.push(
        await traceSection(f.trace, {
          id: `flag-${slug(f.name)}`,
          heading: `Flag ${f.name}: first witness (${num(f.count)} states flagged)`,
          level: 3,
          svgId: `flag${i}`,
          options,
        }),
      );
    }
    flags.push('</section>');
    parts.push(flags.join('\n'));
  }
  parts.push(
    `<section id="coverage"><h2>Placement coverage</h2>${coverageIntro(false)}${coverageTable(aggregateCoverage([{ policy: result.policy.name, coverage: result.coverage }]), false)}</section>`,
  );
  return page(title, parts.join('\n'), result.provenance ?? buildProvenance({ policy: result.policy }));
}

// ---- trace ---------------------------------------------------------------------------------------

/** The HTML page of one explained counterexample (what `rseq-check report` makes of a trace document). */
export async function renderTraceHtml(trace: ExplainedTrace, options: HtmlReportOptions = {}): Promise<string> {
  const title = options.title ?? `rseq-check: ${trace.property} in ${trace.model} under ${trace.policy}`;
  const body = [
    `<header><h1>${h(title)}</h1></header>`,
    `<section id="summary"><h2>Summary</h2>${keyValueTable([
      ['model', h(trace.model)],
      ['policy', `<code>${h(trace.policy)}</code>`],
      ['property', `<code>${h(trace.property)}</code>`],
      ['steps', `${trace.steps.length - 1}${trace.loopStart !== undefined ? ` (a lasso: the steps from ${trace.loopStart} on repeat forever)` : ''}`],
      ['threads', h(trace.threads.join(', '))],
      ['CPUs', h(trace.cpus.join(', '))],
    ])}</section>`,
    await traceSection(trace, { id: 'counterexample', heading: 'Counterexample', level: 2, svgId: 'cx', options }),
  ];
  return page(title, body.join('\n'));
}

/** Writes `html` to `dir/name` (creating `dir`) and returns the file's path. */
export async function writeReport(dir: string, html: string, name = 'report.html'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, html, 'utf8');
  return path;
}

export function slug(s: string): string {
  return s.replace(/'/g, '-prime').replace(/@/g, '-at-').replace(/[^A-Za-z0-9._-]/g, '-') || '-';
}

// ---- pieces --------------------------------------------------------------------------------------

export function nav(items: readonly [string, string][]): string {
  return `<nav><ul>${items.map(([id, text]) => `<li><a href="#${h(id)}">${h(text)}</a></li>`).join('')}</ul></nav>`;
}

function verdictBanner(r: CheckResult): string {
  const css = r.verdict === 'pass' ? 'v-ok' : r.verdict === 'violation' ? 'v-bad' : 'v-unknown';
  return `<p class="banner ${css}">${verdictText(r)}</p>`;
}

function verdictText(r: CheckResult): string {
  if (r.verdict === 'pass') return '<strong>HOLDS</strong>: every reachable state explored, no property violated';
  if (r.verdict === 'violation') {
    return `<strong>VIOLATED</strong>: <code>${h(r.property)}</code> (shortest counterexample: ${r.trace.steps.length - 1} steps, <a href="#counterexample">below</a>)`;
  }
  return `<strong>INCOMPLETE</strong>: stopped by ${h(limitText(r.stoppedBy))}; no verdict: the states counted below were covered, the rest were not`;
}

export function limitText(l: Limit): string {
  if (l.kind !== 'interrupted') return `the ${l.kind} limit (${num(l.bound)})`;
  return l.signal === 'SIGTERM' ? 'SIGTERM' : 'an interrupt (Ctrl-C)';
}

function budgetsText(b: BudgetsIR): string {
  const v = (n: number): string => (n < 0 ? '∞' : String(n));
  return (Object.keys(b) as (keyof BudgetsIR)[]).map((k) => `${h(k)} ${v(b[k])}`).join(', ');
}

function keyValueTable(rows: readonly [string, string][]): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function policyTable(p: Policy): string {
  const baseName = p.name.split('+')[0] ?? p.name;
  const base = baseName !== p.name ? resolvePreset(baseName) : undefined;
  const show = (v: unknown): string => (Array.isArray(v) ? (v.length === 0 ? '(none)' : v.join(', ')) : String(v));
  const rows: string[] = [];
  const known = new Set<string>(['name']);
  for (const k of knobDefs) {
    known.add(k.name);
    const value = (p as unknown as Record<string, unknown>)[k.name];
    const baseValue = base ? (base as unknown as Record<string, unknown>)[k.name] : undefined;
    const changed = base !== undefined && JSON.stringify(baseValue) !== JSON.stringify(value);
    rows.push(
      `<tr${changed ? ' class="changed"' : ''}><th scope="row" title="${h(k.doc)}"><code>${h(k.name)}</code></th><td><code>${h(show(value))}</code>${
        changed ? ` <span class="was">(${h(baseName)}: <code>${h(show(baseValue))}</code>)</span>` : ''
      }</td><td class="evidence">${h(k.evidence)}</td></tr>`,
    );
  }
  // Knobs of a newer result than this code knows.
  for (const [k, v] of Object.entries(p)) {
    if (!known.has(k)) rows.push(`<tr><th scope="row"><code>${h(k)}</code></th><td><code>${h(show(v))}</code></td><td class="evidence"></td></tr>`);
  }
  const intro = base
    ? `<p>Every knob's value; the rows marked differ from the preset <code>${h(baseName)}</code>. Hover a knob for what it means; the last column is how sure the reference is of it.</p>`
    : '<p>Every knob\'s value. Hover a knob for what it means; the last column is how sure the reference is of it.</p>';
  return `${intro}<table class="knobs"><thead><tr><th scope="col">knob</th><th scope="col">value</th><th scope="col">evidence</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The run's plots: states per BFS level (by worker when parallel) and the coverage heat map. */
async function checkPlots(r: CheckResult): Promise<string> {
  const levels = (r.stats.statesPerLevel ?? []).length > 0 ? `<figure class="plot">${await renderLevelPlot(r.stats, undefined, 'levels')}</figure>` : '';
  return `${levels}<figure class="plot">${await renderCoveragePlot([r.coverage], undefined, 'coverage')}<figcaption>The placement coverage below as a heat map: the palest cells were never explored.</figcaption></figure>`;
}

function statsTable(r: CheckResult): string {
  const s = r.stats;
  return keyValueTable([
    ['states', num(s.states)],
    ['transitions', num(s.transitions)],
    [s.searchOrder === 'depth-first' ? 'depth (depth-first)' : 'depth', num(s.depth)],
    ['seconds', s.seconds.toFixed(3)],
    ['states/s', num(Math.round(s.statesPerSecond))],
    ['bytes/state', `${s.bytesPerState.toFixed(1)} (${s.stateWords} words/state)`],
  ]);
}

interface TraceSectionOptions {
  readonly id: string;
  readonly heading: string;
  readonly level: 2 | 3;
  /** A prefix making the SVG's element ids unique in the page. */
  readonly svgId: string;
  readonly options: HtmlReportOptions;
  /** HTML placed under the heading. */
  readonly intro?: string;
  readonly css?: string;
  /** Puts the diagram, the steps and the replay token in a closed `<details>` with this summary. */
  readonly collapsed?: string;
}

export async function traceSection(trace: ExplainedTrace, o: TraceSectionOptions): Promise<string> {
  const hx = `h${o.level}`;
  const parts = [`<section id="${h(o.id)}" class="counterexample${o.css ? ` ${o.css}` : ''}">`, `<${hx}>${h(o.heading)}</${hx}>`];
  if (o.intro) parts.push(o.intro);
  const lasso = trace.loopStart !== undefined ? ` It is a lasso: the steps from ${trace.loopStart} on repeat forever.` : '';
  parts.push(
    `<p class="tracemeta"><code>${h(trace.model)}</code> under <code>${h(trace.policy)}</code>, property <code>${h(trace.property)}</code>: ${trace.steps.length - 1} steps.${h(lasso)}</p>`,
  );
  if (o.collapsed !== undefined) parts.push(`<details class="trace"><summary>${h(o.collapsed)}</summary>`);
  if (o.options.diagrams !== false) {
    const svg = await renderSvg(traceToDot(trace, { lanes: o.options.lanes ?? 'cpu' }));
    parts.push(`<figure class="diagram">${inlineSvg(svg, o.svgId, `Swim-lane diagram of the counterexample ${o.heading}`)}<figcaption>One lane per ${o.options.lanes === 'thread' ? 'thread' : 'CPU'}, time running down; filled steps: the thread is inside its armed c.s.; red border: witness steps.</figcaption></figure>`);
  }
  if (trace.decisive !== undefined) {
    const d = trace.decisive;
    parts.push(`<p class="decisive-summary"><span class="decisive-mark">decisive step</span> <a href="#${h(`${o.id}-step-${d.step}`)}">step ${d.step}</a> breaks <code>${h(d.property)}</code>: ${h(d.why)}</p>`);
  }
  parts.push(stepsList(trace, o.id));
  parts.push(`<p class="replay">Replay: <code>--replay ${h(trace.replay)}</code></p>`);
  if (o.collapsed !== undefined) parts.push('</details>');
  parts.push('</section>');
  return parts.join('\n');
}

function stepsList(trace: ExplainedTrace, sectionId: string): string {
  const items = trace.steps.map((s) => {
    const css = ['step', `k-${s.kind}`];
    if (s.witness) css.push('witness');
    const decisive = trace.decisive?.step === s.index ? trace.decisive : undefined;
    if (decisive) css.push('decisive');
    const inCycle = trace.loopStart !== undefined && s.index >= trace.loopStart;
    if (inCycle) css.push('in-cycle');
    const bits: string[] = [];
    if (trace.loopStart !== undefined && s.index === trace.loopStart) bits.push('<span class="cycle-mark">↻ the cycle starts here (repeats forever)</span><br>');
    if (s.witness) bits.push('<span class="witness-mark">witness</span> ');
    if (decisive) bits.push(`<span class="decisive-mark">decisive: breaks ${h(decisive.property)}</span> `);
    bits.push(`<span class="kind">${h(s.kind)}</span> ${h(s.text)}`);
    const where = stepWhere(s);
    if (where !== '') bits.push(` <span class="where">${where}</span>`);
    if (s.decisions.length > 0) {
      bits.push(
        `<ul class="decisions">${s.decisions.map((d) => `<li><span class="dkind">${h(d.kind)}</span> ${h(d.text)}</li>`).join('')}</ul>`,
      );
    }
    bits.push(valuesHtml(s));
    if (decisive) bits.push(`<p class="why">${h(decisive.why)}</p>`);
    const id = decisive ? ` id="${h(`${sectionId}-step-${s.index}`)}"` : '';
    return `<li value="${s.index}" class="${css.join(' ')}"${id}>${bits.join('')}</li>`;
  });
  return `<ol class="steps" start="0">\n${items.join('\n')}\n</ol>`;
}

/**
 * A step's values: the initial state's as a table (memory, then one row per thread), another
 * step's changes as `name before → after` with the new value in bold and the old one struck
 * through (`<del>`/`<ins>`: marked in words for assistive technology, not by colour alone).
 */
function valuesHtml(s: ExplainedStep): string {
  const values = s.values ?? [];
  if (values.length === 0) return '';
  const text = (v: TraceValue | undefined): string => (v === null || v === undefined ? '(none)' : String(v));
  if (s.kind === 'init') {
    const rows = new Map<string, string[]>();
    for (const v of values) {
      const owner = v.scope === 'memory' ? 'memory' : v.name.slice(0, v.name.indexOf('.'));
      const field = v.scope === 'memory' ? v.name : v.name.slice(owner.length + 1);
      rows.set(owner, [...(rows.get(owner) ?? []), `<code>${h(field)}</code>&nbsp;=&nbsp;${h(text(v.after))}`]);
    }
    const body = [...rows].map(([owner, cells]) => `<tr><th scope="row">${h(owner)}</th><td>${cells.join(', ')}</td></tr>`).join('');
    return `<table class="values initial"><caption>initial values</caption><tbody>${body}</tbody></table>`;
  }
  const change = (v: ValueChange): string =>
    `<span class="vchg"><code>${h(v.name)}</code> <del>${h(text(v.before))}</del>&nbsp;→&nbsp;<ins>${h(text(v.after))}</ins></span>`;
  return `<p class="values"><span class="vlabel">changed:</span> ${values.map(change).join(', ')}</p>`;
}

function stepWhere(s: ExplainedStep): string {
  const bits: string[] = [];
  if (s.instruction) bits.push(`<code>${h(`${s.instruction.program}:${s.instruction.index}${s.instruction.label ? ` (${s.instruction.label})` : ''}`)}</code>`);
  if (s.thread !== null) {
    const cs = s.rseqCs[s.thread];
    if (cs !== undefined && cs !== null) bits.push(`rseq_cs = <code>${h(cs)}</code>${s.inCs[s.thread] ? ', inside it' : ''}`);
  }
  if (s.cpu !== null && s.thread !== null) bits.push(`${h(s.thread)} on ${h(s.cpu)}`);
  return bits.length > 0 ? `[${bits.join('; ')}]` : '';
}

/**
 * The `<svg>` element of a Graphviz SVG document for inlining into HTML: the XML declaration,
 * DOCTYPE and comments dropped, every `id` (and reference to one) prefixed so that several
 * diagrams can share a page, and an accessible name added.
 */
function inlineSvg(svg: string, prefix: string, label: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('renderSvg returned no <svg> element');
  return svg
    .slice(start)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\sid="([^"]*)"/g, (_m, id: string) => ` id="${prefix}-${id}"`)
    .replace(/(\s(?:xlink:)?href)="#([^"]*)"/g, (_m, attr: string, id: string) => `${attr}="#${prefix}-${id}"`)
    .replace(/url\(#([^)]*)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/^<svg/, `<svg role="img" aria-label="${h(label)}"`)
    .trim();
}

// ---- coverage ------------------------------------------------------------------------------------

interface AggregatedInstruction {
  readonly program: string;
  readonly index: number;
  readonly label?: string;
  readonly text: string;
  readonly inCs: readonly string[];
  /** Per event kind: the transitions summed over the policies, and the policies that explored it. */
  readonly events: Map<string, { total: number; policies: string[] }>;
  readonly violations: { total: number; policies: string[] };
  /** Fused with the instruction before it under some policy (no events explored before it there). */
  fused: boolean;
}

interface AggregatedCoverage {
  readonly eventKinds: readonly string[];
  readonly policies: readonly string[];
  readonly instructions: readonly AggregatedInstruction[];
}

/** Sums coverage reports of one model (the cells of one scenario) instruction by instruction. */
export function aggregateCoverage(runs: readonly { policy: string; coverage: CoverageReport }[]): AggregatedCoverage {
  const eventKinds: string[] = [];
  const byKey = new Map<string, AggregatedInstruction>();
  const order: string[] = [];
  for (const { policy, coverage } of runs) {
    for (const k of coverage.eventKinds) if (!eventKinds.includes(k)) eventKinds.push(k);
    for (const prog of coverage.programs) {
      for (const ins of prog.instructions) {
        const key = `${prog.name}\u0000${ins.index}`;
        let a = byKey.get(key);
        if (a === undefined) {
          a = { program: prog.name, index: ins.index, ...(ins.label !== undefined ? { label: ins.label } : {}), text: ins.text, inCs: [...ins.inCs], events: new Map(), violations: { total: 0, policies: [] }, fused: false };
          byKey.set(key, a);
          order.push(key);
        }
        for (const [k, n] of Object.entries(ins.events)) {
          let e = a.events.get(k);
          if (e === undefined) a.events.set(k, (e = { total: 0, policies: [] }));
          e.total += n;
          if (n > 0) e.policies.push(policy);
        }
        a.violations.total += ins.violations;
        if (ins.violations > 0) a.violations.policies.push(policy);
        if (ins.fused === true) a.fused = true;
      }
    }
  }
  return { eventKinds, policies: runs.map((r) => r.policy), instructions: order.map((k) => byKey.get(k)!) };
}

export function coverageIntro(review: boolean): string {
  return review
    ? '<p>For each instruction inside a critical section (and any other instruction where a violation arose), the number of transitions of each event kind explored with the thread at that instruction, summed over the scenario\'s policies (the G1 exploration of each cell); <em>k/n</em> says under how many of the n policies it was explored when not all. A dash: never explored; an arrow: a purely local instruction run in the same step as the one before it, whose events are explored at the next instruction (partial-order reduction). The last column gives the transitions from there that reached a violation, and under which policies.</p>'
    : '<p>For each instruction inside a critical section (and any other instruction where a violation arose), the number of transitions of each event kind explored with the thread at that instruction. A dash: that placement was never explored (its budget is 0, or it is unreachable); an arrow: a purely local instruction run in the same step as the one before it, whose events are explored at the next instruction (partial-order reduction). The last column counts the transitions from there that reached a violation.</p>';
}

export function coverageTable(cov: AggregatedCoverage, review: boolean): string {
  const rows = cov.instructions.filter((i) => i.inCs.length > 0 || i.violations.total > 0);
  if (rows.length === 0) return '<p class="nodiagram">The model has no instruction inside a critical section, and no violation arose.</p>';
  const total = cov.policies.length;
  const head = `<thead><tr><th scope="col">instruction</th><th scope="col">critical section</th>${cov.eventKinds
    .map((k) => `<th scope="col" class="ek" title="${h(k)}"><span>${h(eventKindWords(k))}</span></th>`)
    .join('')}<th scope="col">violations</th></tr></thead>`;
  const body = rows.map((i) => {
    const where = `${i.program}:${i.index}`;
    const cells = cov.eventKinds.map((k) => {
      const e = i.events.get(k) ?? { total: 0, policies: [] };
      if (e.total === 0 && i.fused) return `<td class="unexplored" title="${h(`${k} before ${where}: explored at the next instruction (a purely local instruction, run fused)`)}">↓</td>`;
      if (e.total === 0) return `<td class="unexplored" title="${h(`${k} at ${where}: not explored`)}">–</td>`;
      const partial = review && e.policies.length < total ? ` <span class="frac">${e.policies.length}/${total}</span>` : '';
      const tip = review ? `${k} at ${where}: ${e.total} transitions, under ${e.policies.join(', ')}` : `${k} at ${where}: ${e.total} transitions`;
      return `<td class="explored" title="${h(tip)}">${num(e.total)}${partial}</td>`;
    });
    const v = i.violations;
    const viol =
      v.total === 0
        ? '<td class="noviolation">0</td>'
        : `<td class="violation" title="${h(`transitions from ${where} reaching a violation`)}">${num(v.total)}${review ? ` <span class="under">(${h(v.policies.join(', '))})</span>` : ''}</td>`;
    const label = i.label !== undefined ? `<span class="label">${h(i.label)}:</span> ` : '';
    const cs = i.inCs.length > 0 ? h(i.inCs.join(', ')) : '<span class="outside">outside</span>';
    return `<tr><th scope="row"><code>${h(where)}</code> ${label}<code>${h(i.text)}</code></th><td>${cs}</td>${cells.join('')}${viol}</tr>`;
  });
  const explored = rows.filter((i) => i.inCs.length > 0).reduce((n, i) => n + cov.eventKinds.filter((k) => (i.events.get(k)?.total ?? 0) > 0).length, 0);
  const places = rows.filter((i) => i.inCs.length > 0).length * cov.eventKinds.length;
  const never = cov.eventKinds.filter((k) => rows.every((i) => i.inCs.length === 0 || (i.events.get(k)?.total ?? 0) === 0));
  const summary = `<p class="note">${explored} of ${places} (c.s. instruction, event kind) placements explored${
    never.length > 0 ? `; never explored inside a c.s.: ${never.map((k) => h(eventKindWords(k))).join(', ')}` : ''
  }.</p>`;
  return `<div class="scroll"><table class="coverage">${head}<tbody>${body.join('\n')}</tbody></table></div>${summary}`;
}

// ---- the page ------------------------------------------------------------------------------------

export function num(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number): string {
  return n === 1 ? '' : 's';
}

const CSS = `
:root { color-scheme: light; --bad: #c62828; --bad-bg: #ffe3e0; --ok-bg: #e6f4ea; --kill-bg: #fff4d6; --unk-bg: #ececec; --line: #d0d4dc; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0 auto; padding: 1em 2em 4em; max-width: 1500px; color: #1d2330; background: #fff; }
h1 { font-size: 1.6em; margin: 0.3em 0; } h2 { border-bottom: 2px solid var(--line); padding-bottom: 0.2em; margin-top: 1.8em; } h3 { margin-top: 1.6em; }
code { font: 0.92em/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #f2f3f7; padding: 0 0.25em; border-radius: 3px; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1.2em; flex-wrap: wrap; } nav a { text-decoration: none; }
a { color: #1a55b5; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #f2f4f8; }
table.kv th { background: #f7f8fb; font-weight: 600; white-space: nowrap; }
table.knobs tr.changed td, table.knobs tr.changed th { background: #fff4d6; } .was { color: #6b5200; font-size: 0.9em; } td.evidence { color: #666; font-size: 0.9em; }
.banner { padding: 0.6em 1em; border-radius: 6px; font-size: 1.1em; }
.v-bad { background: var(--bad-bg); } .v-ok { background: var(--ok-bg); } .v-kill { background: var(--kill-bg); } .v-unknown, .v-missing { background: var(--unk-bg); }
.badge { display: inline-block; padding: 0 0.45em; border-radius: 4px; border: 1px solid var(--line); white-space: nowrap; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4em 1.5em; font-size: 0.92em; }
.scroll { overflow-x: auto; max-width: 100%; }
table.matrix { font-size: 0.86em; } table.matrix td, table.matrix th { text-align: center; padding: 0.2em 0.25em; }
table.matrix thead th code { background: none; padding: 0; } table.matrix tbody th { text-align: left; min-width: 10em; max-width: 14em; }
table.matrix td.v-bad a { color: var(--bad); font-weight: 600; } table.matrix td a { display: block; }
.sid { font-weight: 700; display: block; } .stitle { font-weight: 400; font-size: 0.85em; color: #555; display: block; overflow-wrap: anywhere; }
section.counterexample { border-left: 4px solid var(--line); padding-left: 1em; margin-top: 1.5em; }
section.counterexample:target { border-left-color: #1a55b5; background: #f5f8ff; }
.cellmeta, .tracemeta { color: #333; }
figure.diagram { margin: 0.8em 0; overflow: auto; max-height: 95vh; border: 1px solid var(--line); border-radius: 6px; background: #fff; padding: 0.5em; }
figure.diagram svg { display: block; height: auto; max-width: none; }
figcaption { font-size: 0.85em; color: #555; margin-top: 0.4em; }
figure.plot { margin: 0.8em 0; overflow-x: auto; } figure.plot svg { display: block; max-width: none; height: auto; }
ol.steps { padding-left: 3.2em; } ol.steps > li { margin: 0.15em 0; padding: 0.1em 0.3em; }
ol.steps > li.witness { background: var(--bad-bg); border-left: 3px solid var(--bad); }
ol.steps > li.in-cycle { border-right: 3px solid #2e7d32; }
.kind { display: inline-block; min-width: 6.5em; font-size: 0.8em; color: #555; text-transform: uppercase; letter-spacing: 0.03em; }
.witness-mark { color: #fff; background: var(--bad); padding: 0 0.4em; border-radius: 3px; font-size: 0.8em; font-weight: 700; }
.cycle-mark { color: #2e7d32; font-weight: 700; }
.where { color: #555; font-size: 0.9em; }
ul.decisions { margin: 0.1em 0 0.2em; padding-left: 1.5em; font-size: 0.93em; } .dkind { font-size: 0.8em; color: #7a3e00; background: #fff1e0; padding: 0 0.3em; border-radius: 3px; }
.replay code { user-select: all; }
table.coverage { font-size: 0.88em; } table.coverage td { text-align: right; white-space: nowrap; } table.coverage tbody th { font-weight: 400; white-space: nowrap; }
table.coverage th.ek { vertical-align: bottom; } table.coverage th.ek span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
td.explored { background: #eef7ee; } td.unexplored { color: #aaa; text-align: center; } td.violation { background: var(--bad-bg); color: var(--bad); font-weight: 600; text-align: left; }
.frac, .under { font-weight: 400; color: #666; font-size: 0.85em; } .label { color: #555; } .outside { color: #888; font-style: italic; }
.note, .nodiagram { color: #555; font-size: 0.92em; }
.lead { font-size: 1.05em; }
p.values { margin: 0.1em 0 0.2em 1.5em; font-size: 0.9em; } .vlabel { color: #555; font-size: 0.85em; }
.vchg { white-space: nowrap; } .vchg del { color: #6b6b6b; } .vchg ins { text-decoration: none; font-weight: 700; color: #0d3c8c; background: #e3ecff; padding: 0 0.2em; border-radius: 2px; }
table.values { font-size: 0.88em; margin: 0.2em 0 0.3em 1.5em; } table.values caption { text-align: left; color: #555; font-size: 0.9em; } table.values th { background: #f7f8fb; }
ol.steps > li.decisive { outline: 3px solid #b26a00; outline-offset: 1px; background: #fff6db; }
.decisive-mark { color: #fff; background: #8a4b00; padding: 0 0.4em; border-radius: 3px; font-size: 0.8em; font-weight: 700; }
p.why { margin: 0.1em 0 0.2em 1.5em; font-size: 0.92em; font-style: italic; } .decisive-summary a { font-weight: 600; }
`;

/**
 * The whole document: no external resource of any kind, and a CSP that forbids fetching one. The
 * footer states its provenance: the result's own, or (without one) this rendering's.
 */
export function page(title: string, body: string, provenance: Provenance = buildProvenance()): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rseq-check">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
${renderProvenanceFooter(provenance)}
</body>
</html>
`;
}
