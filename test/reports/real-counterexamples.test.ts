import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../run/check.js';
import { validateModel } from '../../models/ir/validate.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { resolveModel } from '../../models/library/resolve.js';
import { checkTemporal } from '../../run/temporal.js';
import type { ExplainedTrace } from '../../run/explained-trace.js';
import { traceToDot } from '../../reports/dot.js';
import { renderSvg } from '../../reports/svg.js';
import { expectDotShowsTrace } from './dot-facts.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN = join(ROOT, 'test', 'reports', 'golden');

/** Compares with the golden file; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(existsSync(file), `${file} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

async function renders(dot: string): Promise<void> {
  expect(await renderSvg(dot)).toMatch(/<svg[\s\S]*<\/svg>/);
  const dir = mkdtempSync(join(tmpdir(), 'rseq-dot-'));
  const input = join(dir, 'in.dot');
  writeFileSync(input, dot);
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'graphviz'), ['-Tsvg', `-o${join(dir, 'out.svg')}`, input], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
}

describe('DOT of counterexamples the checker found (golden files)', () => {
  it('safety: gallery/arm64-user-irq, a lost update under 6.19 without user_irq (G1)', async () => {
    const g = gallery.find((x) => x.name === 'arm64-user-irq')!;
    const v = validateModel(g.model);
    if (!v.ok) throw new Error('invalid');
    const r = await checkModel(v.ir, { policy: g.policy, knobs: g.bugKnobs, properties: [g.property] });
    expect(r.verdict).toBe('violation');
    const trace = (r as { trace: ExplainedTrace }).trace;
    // G1 broken: T1 is preempted with its ip inside inc_cs, resumes there with no abort anywhere,
    // and its commit, the last step, is the witness.
    const preempted = trace.steps.findIndex((st) => st.kind === 'preempt' && st.thread === 'T1' && st.inCs['T1'] === true);
    expect(preempted).toBeGreaterThan(0);
    expect(trace.steps.flatMap((st) => st.decisions).some((d) => d.kind === 'abort')).toBe(false);
    const last = trace.steps.at(-1)!;
    expect([last.kind, last.thread, last.witness, last.decisions.map((d) => d.kind)]).toEqual(['instruction', 'T1', true, ['commit']]);
    const dot = traceToDot(trace);
    expectDotShowsTrace(dot, trace);
    golden('real-safety.dot', dot);
    await renders(dot);
  });

  it('lasso: percpu-counter progress without fairness (a cycle of kernel events)', async () => {
    const m = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
    const r = await checkTemporal(m.ir, { property: 'progress', constants: m.constants });
    expect(r.verdict).toBe('violation');
    const trace = (r as { trace: ExplainedTrace }).trace;
    // The cycle is kernel events only: no thread executes, so none reaches done.
    const start = trace.steps.findIndex((st) => st.index === trace.loopStart);
    const cycle = trace.steps.slice(start + 1);
    expect(start).toBeGreaterThan(0);
    expect(cycle.length).toBeGreaterThan(0);
    expect(cycle.filter((st) => st.kind === 'instruction')).toEqual([]);
    expect(cycle.some((st) => st.kind === 'preempt' || st.kind === 'migrate')).toBe(true);
    const dot = traceToDot(trace);
    expectDotShowsTrace(dot, trace);
    golden('real-lasso.dot', dot);
    await renders(dot);
  });
});
