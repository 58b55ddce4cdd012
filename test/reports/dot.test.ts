import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { instance } from '@viz-js/viz';
import type { ExplainedStep, ExplainedTrace } from '../../run/explained-trace.js';
import { traceToDot } from '../../reports/dot.js';
import { renderSvg } from '../../reports/svg.js';
import { lassoTrace } from './fixtures/lasso-trace.js';
import { safetyTrace } from './fixtures/safety-trace.js';
import { expectDotShowsTrace } from './dot-facts.js';
import { xmlProblems } from './xml-check.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const GOLDENS: readonly { file: string; dot: () => string; trace: ExplainedTrace; lanes: 'cpu' | 'thread' }[] = [
  { file: 'safety.dot', dot: () => traceToDot(safetyTrace), trace: safetyTrace, lanes: 'cpu' },
  { file: 'lasso.dot', dot: () => traceToDot(lassoTrace), trace: lassoTrace, lanes: 'cpu' },
  { file: 'safety-threads.dot', dot: () => traceToDot(safetyTrace, { lanes: 'thread' }), trace: safetyTrace, lanes: 'thread' },
];

interface LaidOutNode {
  name: string;
  label?: string;
  pos?: string;
  nodes?: number[];
  _gvid: number;
}

/** Graphviz's own view of the DOT: layout positions and which cluster holds which node. */
async function layout(dot: string): Promise<{ objects: LaidOutNode[]; edges?: { tail: number; head: number; label?: string; style?: string }[] }> {
  const viz = await instance();
  return viz.renderJSON(dot) as { objects: LaidOutNode[] };
}

function position(objects: LaidOutNode[], name: string): { x: number; y: number } {
  const o = objects.find((n) => n.name === name);
  if (o?.pos === undefined) throw new Error(`no node ${name}`);
  const [x, y] = o.pos.split(',').map(Number);
  return { x: x!, y: y! };
}

/** Names of the nodes in cluster `cluster`. */
function members(objects: LaidOutNode[], cluster: string): string[] {
  const c = objects.find((o) => o.name === cluster);
  return (c?.nodes ?? []).map((id) => objects.find((o) => o._gvid === id)!.name);
}

describe('traceToDot goldens', () => {
  it.each(GOLDENS)('$file matches the golden file and shows its trace', ({ file, dot, trace, lanes }) => {
    const path = join(GOLDEN_DIR, file);
    const actual = dot();
    // What the golden must mean, whatever its bytes (an UPDATE_GOLDEN run cannot bless a wrong drawing).
    expectDotShowsTrace(actual, trace, lanes);
    if (UPDATE) writeFileSync(path, actual);
    expect(existsSync(path), `missing ${path}: run with UPDATE_GOLDEN=1 to write it`).toBe(true);
    expect(actual).toBe(readFileSync(path, 'utf8'));
  });

  it('is deterministic: same input, byte-identical output, also from a deep copy', () => {
    const copy = JSON.parse(JSON.stringify(safetyTrace)) as ExplainedTrace;
    expect(traceToDot(copy)).toBe(traceToDot(safetyTrace));
    expect(traceToDot(lassoTrace)).toBe(traceToDot(lassoTrace));
  });
});

describe('traceToDot layout (CPU lanes)', () => {
  it('draws one lane per CPU side by side, plus the off-CPU lane, with time running down', async () => {
    const { objects } = await layout(traceToDot(safetyTrace));
    expect(members(objects, 'cluster_lane0')).toEqual(['lane0_head', 's1', 's2', 's3', 's6', 's7', 's8', 's9', 's10']);
    expect(members(objects, 'cluster_lane1')).toEqual(['lane1_head', 's5', 's11']);
    expect(members(objects, 'cluster_lane_kernel')).toEqual(['lane_kernel_head', 's0', 's4']);
    const heads = ['lane0_head', 'lane1_head', 'lane_kernel_head'].map((n) => position(objects, n));
    // Lanes left to right in the order of trace.cpus, headers on one row.
    expect(heads[0]!.x).toBeLessThan(heads[1]!.x);
    expect(heads[1]!.x).toBeLessThan(heads[2]!.x);
    expect(new Set(heads.map((h) => h.y)).size).toBe(1);
    // Each step strictly below the previous one (Graphviz y grows upwards), aligned with its axis mark.
    for (let p = 0; p < safetyTrace.steps.length; p++) {
      const s = position(objects, `s${p}`);
      expect(s.y).toBe(position(objects, `t${p}`).y);
      if (p > 0) expect(s.y).toBeLessThan(position(objects, `s${p - 1}`).y);
    }
  });

  it('shades steps whose thread is inside its armed c.s., and only those', () => {
    const dot = traceToDot(safetyTrace);
    const fill = (p: number) => new RegExp(`^\\s*s${p} \\[.*fillcolor="([^"]+)"`, 'm').exec(dot)?.[1];
    expect([1, 2, 3, 5, 7, 8, 9].map(fill)).toEqual(Array(7).fill('#ffe9a8'));
    expect([0, 4, 6, 10, 11].map(fill)).toEqual(Array(5).fill('white'));
  });

  it('highlights witness steps with a bold red border', () => {
    const dot = traceToDot(safetyTrace);
    for (const p of [10, 11]) {
      expect(dot).toMatch(new RegExp(`^\\s*s${p} \\[.*style="filled,rounded,bold", color="red", penwidth="3"`, 'm'));
    }
    expect(dot).not.toMatch(/^\s*s9 \[.*color="red"/m);
  });

  it('draws the migration inside the c.s. as an edge from the old CPU lane to the new one', () => {
    const dot = traceToDot(safetyTrace);
    expect(dot).toContain('s3 -> s5 [color="blue", fontcolor="blue", style="bold", constraint="false", label="T1 migrates"];');
    expect(dot).toMatch(/^\s*s5 \[label="#5 T1\\lmigration cpu0 -> cpu1\\l.*no abort.*shape="polygon", sides="4", skew="0.25"/m);
  });

  it('marks the cycle of a lasso with a back edge and a note', async () => {
    const dot = traceToDot(lassoTrace);
    expect(dot).toContain('s10 -> s1 [color="darkgreen", fontcolor="darkgreen", style="bold", penwidth="2", constraint="false", label="cycle"];');
    expect(dot).toContain('cycle_note [shape="note"');
    expect(dot).toContain('label="cycle: steps 1..10\\lrepeat forever\\l"');
    const { objects } = await layout(dot);
    expect(position(objects, 'cycle_note').y).toBe(position(objects, 's1').y);
    expect(position(objects, 'cycle_note').x).toBeLessThan(position(objects, 't1').x);
  });

  it('draws kernel decisions as badges with their own shapes next to their step', async () => {
    const dot = traceToDot(lassoTrace);
    expect(dot).toMatch(/^\s*s3_d0 \[label="IP moved to abort_ip\\lIP of T1 set to abort.*shape="rarrow", color="red3"/m);
    expect(dot).toMatch(/^\s*s9_d0 \[label="sigreturn\\lIP restored to abort \(0x40\)\\l".*shape="invhouse", color="purple"/m);
    expect(dot).toContain('{ rank="same"; t3; s3; s3_d0; }');
    // The abort is a badge, not also a line of the step's label.
    expect(dot).toMatch(/^\s*s3 \[label="#3 T1 {2}\(witness\)\\lpreemption on cpu0\\l- preempt event recorded\\l"/m);
    const { objects } = await layout(dot);
    expect(position(objects, 's3_d0').x).toBeGreaterThan(position(objects, 's3').x);
  });

  it('has a legend listing only what the trace shows', () => {
    const safety = traceToDot(safetyTrace);
    expect(safety).toContain('subgraph cluster_legend {');
    expect(safety).toContain('label="migration", shape="polygon"');
    expect(safety).toContain('label="blue edge: thread moved\\lto another CPU\\l"');
    expect(safety).not.toContain('green edge');
    expect(safety).not.toContain('label="signal delivery"');
    const lasso = traceToDot(lassoTrace);
    expect(lasso).toContain('label="green edge: the cycle\\lof a lasso\\l"');
    expect(lasso).toContain('label="signal delivery", shape="octagon"');
    expect(lasso).not.toContain('blue edge');
  });
});

describe('traceToDot thread lanes', () => {
  it('draws one lane per thread, a kernel lane for the initial state, and no migration edge', async () => {
    const dot = traceToDot(safetyTrace, { lanes: 'thread' });
    const { objects } = await layout(dot);
    expect(members(objects, 'cluster_lane0')).toEqual(['lane0_head', 's1', 's2', 's3', 's5', 's11']);
    expect(members(objects, 'cluster_lane1')).toEqual(['lane1_head', 's4', 's6', 's7', 's8', 's9', 's10']);
    expect(members(objects, 'cluster_lane_kernel')).toEqual(['lane_kernel_head', 's0']);
    expect(dot).toContain('lane0_head [label="T1"');
    expect(dot).toContain('lane_kernel_head [label="kernel"');
    expect(dot).not.toContain('migrates');
    expect(dot).toContain('label="#4 off-CPU\\lpreemption\\l');
    expect(dot).toContain('label="#5 on cpu1\\lmigration cpu0 -> cpu1\\l');
    expect(position(objects, 'lane0_head').x).toBeLessThan(position(objects, 'lane1_head').x);
    expect(position(objects, 's5').y).toBeLessThan(position(objects, 's4').y);
  });
});

/** A small trace built around one step, for the decision kinds the fixtures do not show. */
function oneStepTrace(step: Partial<ExplainedStep>, names: { thread?: string; cpu?: string } = {}): ExplainedTrace {
  const thread = names.thread ?? 'T1';
  const cpu = names.cpu ?? 'cpu0';
  return {
    model: 'm',
    policy: 'p',
    property: 'prop',
    threads: [thread],
    cpus: [cpu],
    replay: '0.0',
    steps: [
      { index: 0, kind: 'init', thread: null, cpu: null, decisions: [], rseqCs: { [thread]: null }, inCs: { [thread]: false }, text: 'init', witness: false },
      {
        index: 1, kind: 'instruction', thread, cpu, decisions: [], rseqCs: { [thread]: null }, inCs: { [thread]: false },
        text: 'step', witness: false, ...step,
      },
    ],
  };
}

describe('traceToDot edge cases', () => {
  it('draws SIGSEGV and lazy clears as badges', () => {
    const dot = traceToDot(oneStepTrace({
      kind: 'task-work',
      decisions: [
        { kind: 'lazy-clear', text: 'rseq_cs cleared: IP outside' },
        { kind: 'sigsegv', text: 'bad rseq_cs: SIGSEGV' },
      ],
    }));
    expect(dot).toMatch(/^\s*s1_d0 \[label="rseq_cs cleared \(lazily\)\\lrseq_cs cleared: IP outside\\l".*shape="tab"/m);
    expect(dot).toMatch(/^\s*s1_d1 \[label="SIGSEGV\\lbad rseq_cs: SIGSEGV\\l".*shape="doubleoctagon"/m);
    expect(dot).toContain('s1 -> s1_d1 [style="dashed", arrowhead="none", color="gray50"];');
  });

  it('keeps hostile thread, CPU and instruction names inside their labels', async () => {
    const evil = 'a" ]; evil [label="x';
    const dot = traceToDot(oneStepTrace(
      { instruction: { program: 'p', index: 0, label: 'l\u0000bl', text: 'x\n}\ndigraph {' }, text: 'tip "q"' },
      { thread: evil, cpu: `${evil}\\` },
    ));
    const { objects } = await layout(dot);
    expect(objects.some((o) => o.name.includes('evil'))).toBe(false);
    const step = objects.find((o) => o.name === 's1')!;
    expect(step.label).toBe(`#1 ${evil}\\llbl: x\\l}\\ldigraph {\\l`);
    expect(objects.find((o) => o.name === 'lane0_head')!.label).toBe(`${evil}\\\\`);
    await expect(renderSvg(dot)).resolves.toContain('evil');
  });

  it('gives a lane to a CPU missing from the trace header, and copes with an empty trace', () => {
    const t = oneStepTrace({}, {});
    const dot = traceToDot({ ...t, cpus: [] });
    expect(dot).toContain('lane0_head [label="cpu0"');
    const empty = traceToDot({ ...t, steps: [] });
    expect(empty).toContain('axis_head');
    expect(empty).not.toContain('cluster_legend');
  });

  it('says so when loopStart names no step', () => {
    const dot = traceToDot({ ...oneStepTrace({}), loopStart: 7 });
    expect(dot).toContain('cycle start 7 is not a step of this trace');
    expect(dot).not.toContain('cycle_note');
  });

  it('wraps long label lines and keeps short ones as they are', () => {
    const dot = traceToDot(oneStepTrace({
      decisions: [{ kind: 'other', text: 'the quick brown fox jumps over the lazy dog and keeps running far away' }],
      instruction: { program: 'p', index: 0, text: 'r1 = x  (= 0)' },
    }));
    expect(dot).toContain('r1 = x  (= 0)\\l- the quick brown fox jumps over the lazy\\l  dog and keeps running far away\\l');
  });
});

describe('rendering', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rseq-dot-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.each([
    ['safety', safetyTrace, 'T1 commits counter[0] = 1 while on cpu1'],
    ['lasso', lassoTrace, 'IP restored to abort (0x40)'],
  ] as const)('renders the %s trace to well-formed SVG with @viz-js/viz', async (_name, trace, text) => {
    for (const lanes of ['cpu', 'thread'] as const) {
      const svg = await renderSvg(traceToDot(trace, { lanes }));
      expect(svg.startsWith('<?xml') || svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('<svg');
      expect(svg).toContain(text);
      expect(xmlProblems(svg)).toEqual([]);
    }
  });

  it.each(GOLDENS.map((g) => g.file))('renders golden %s with the graphviz-cli binary', (file) => {
    const out = join(tmp, `${file}.cli.svg`);
    const bin = join(ROOT, 'node_modules', '.bin', 'graphviz');
    const r = spawnSync(bin, ['-Tsvg', `-o${out}`, join(GOLDEN_DIR, file)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('<svg');
    expect(xmlProblems(svg)).toEqual([]);
  });

  const systemDot = spawnSync('which', ['dot'], { encoding: 'utf8' });
  const dotPath = systemDot.status === 0 ? systemDot.stdout.trim() : '';

  it.for(GOLDENS.map((g) => g.file))('renders golden %s with the system dot when installed', (file, ctx) => {
    if (dotPath === '') ctx.skip('system Graphviz `dot` is not installed (which dot found nothing)');
    const r = spawnSync(dotPath, ['-Tsvg', join(GOLDEN_DIR, file)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('<svg');
    expect(xmlProblems(r.stdout)).toEqual([]);
  });
});
