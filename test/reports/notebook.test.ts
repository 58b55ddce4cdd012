import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../run/check.js';
import type { ReviewResult } from '../../run/review.js';
import { formatCheck, formatResult, traceToText } from '../../reports/text.js';
import { reviewToMarkdown } from '../../reports/review-markdown.js';
import { traceToDot } from '../../reports/dot.js';
import { parseResultJson, resultToJson } from '../../reports/json.js';
import { withReviewViews, withViews } from '../../reports/notebook.js';
import { incompleteCheck, mixedReview, passingCheck, violatingCheck } from './results.js';

let pass: CheckResult;
let violation: CheckResult;
let incomplete: CheckResult;
let review: ReviewResult;

beforeAll(async () => {
  [pass, violation, incomplete, review] = await Promise.all([passingCheck(), violatingCheck(), incompleteCheck(), mixedReview()]);
});

describe('withViews (check results)', () => {
  it('draws and explains a violation', async () => {
    const r = withViews(violation);
    if (violation.verdict !== 'violation') throw new Error('expected a violation');
    expect(r.verdict).toBe('violation');
    expect(r.toDot()).toBe(traceToDot(violation.trace));
    expect(r.toDot({ lanes: 'thread' })).toBe(traceToDot(violation.trace, { lanes: 'thread' }));
    const svg = await r.toSvg();
    expect(svg).toContain('<svg');
    expect(svg).toContain('witness');
    expect(r.explain()).toBe(formatCheck(violation));
    expect(r.explain()).toContain(traceToText(violation.trace));
  });

  it('works on a result read back from JSON', () => {
    const r = withViews(parseResultJson(resultToJson(violation)) as Parameters<typeof withViews>[0]);
    expect(r.explain()).toBe(formatResult(violation));
    expect(r.toDot()).toBe(withViews(violation).toDot());
  });

  it('for a pass or an incomplete run draws a note saying there is no counterexample', async () => {
    const p = withViews(pass);
    expect(p.toDot()).toMatch(/^digraph note \{/);
    expect(p.toDot()).toContain('HOLDS: percpu-counter under linux-6.3');
    expect(await p.toSvg()).toContain('no counterexample to draw');
    const i = withViews(incomplete);
    expect(i.toDot()).toContain('INCOMPLETE');
    expect(i.toDot()).toContain('the states limit (100)');
    expect(i.explain()).toMatch(/^INCOMPLETE/);
  });

  it('draws a flag witness on request, and names the flags when asked for another', () => {
    expect(() => withViews(violation).toDot({ flag: 'nope' })).toThrow(/no flag "nope" in this result/);
    const flagged = review.cells.find((c) => c.verdict === 'killed as promised')!;
    const fake = { ...violation, flags: [{ code: 1, name: 'killed-as-promised', count: 1, witness: { choices: [0] }, trace: flagged.trace! }] };
    expect(withViews(fake).toDot({ flag: 'killed-as-promised' })).toBe(traceToDot(flagged.trace!));
  });
});

describe('withReviewViews', () => {
  it('draws and explains one cell', async () => {
    const r = withReviewViews(review);
    const c = r.cell("S1'", 'linux-6.19');
    expect(c.verdict).toBe('atomicity broken (G1)');
    expect(r.toDot("S1'", 'linux-6.19')).toBe(traceToDot(c.trace!));
    expect(await r.toSvg("S1'", 'linux-6.19')).toContain('<svg');
    expect(r.explain("S1'", 'linux-6.19')).toContain(traceToText(c.trace!));
    expect(r.explain("S1'", 'linux-6.19')).toMatch(/^S1' under linux-6\.19: atomicity broken \(G1\)/);
  });

  it('explains the matrix and a scenario row', () => {
    const r = withReviewViews(review);
    expect(r.explain()).toBe(reviewToMarkdown(review));
    const row = r.explain("S1'");
    expect(row.split('\n')).toHaveLength(1 + review.policies.length);
    expect(row).toContain('linux-6.19: atomicity broken (G1) (9 steps)');
  });

  it('draws a note for a cell without a counterexample', () => {
    const r = withReviewViews(review);
    expect(r.toDot("S1'", 'linux-6.3')).toContain("S1' under linux-6.3: holds");
    expect(r.toDot('S2', 'linux-6.3')).toContain('incomplete');
  });

  it('names the scenarios or policies when asked for a cell that does not exist', () => {
    const r = withReviewViews(review);
    expect(() => r.toDot('S99', 'linux-6.19')).toThrow(`no scenario "S99" in this review (scenarios: S1', S2)`);
    expect(() => r.toDot('S2', 'linux-9')).toThrow(/no policy "linux-9" in this review \(policies: linux-6\.3, linux-6\.19, b@6\.19\)/);
    expect(() => r.explain('S99')).toThrow(/no scenario "S99"/);
  });
});

describe('examples/seed-s1-prime.ipynb', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const nb = JSON.parse(readFileSync(join(ROOT, 'examples', 'seed-s1-prime.ipynb'), 'utf8')) as {
    nbformat: number;
    nbformat_minor: number;
    metadata: { kernelspec?: { name: string; display_name: string } };
    cells: { id?: string; cell_type: string; metadata: object; source: string[]; outputs?: unknown[]; execution_count?: number | null }[];
  };
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));

  it('is a plain nbformat 4 notebook for the tslab kernel, saved without outputs', () => {
    expect(Object.keys(nb).sort()).toEqual(['cells', 'metadata', 'nbformat', 'nbformat_minor']);
    expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
    expect(nb.metadata.kernelspec).toEqual({ display_name: 'TypeScript', language: 'typescript', name: 'tslab' });
    const ids = nb.cells.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of nb.cells) {
      expect(c.id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
      expect(Array.isArray(c.source) && c.source.every((l) => typeof l === 'string')).toBe(true);
      if (c.cell_type === 'code') {
        expect(Object.keys(c).sort()).toEqual(['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source']);
        expect(c.outputs).toEqual([]);
        expect(c.execution_count).toBeNull();
      } else {
        expect(c.cell_type).toBe('markdown');
        expect(Object.keys(c).sort()).toEqual(['cell_type', 'id', 'metadata', 'source']);
      }
    }
  });

  // The package's entry points: `rseq-check/seed` -> ./dist/models/library/seed/scenarios.js.
  const exported = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> }).exports;
  const targetOf = (specifier: string): string | undefined => {
    const e = exported[specifier === 'rseq-check' ? '.' : `./${specifier.slice('rseq-check/'.length)}`];
    return e === undefined ? undefined : typeof e === 'string' ? e : e.default;
  };

  it("imports only the package's exported entry points, and runs S1' under linux-6.19 with tslab.display", () => {
    const all = code.join('\n');
    const specifiers = [...all.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    expect(specifiers).toEqual(['tslab', 'rseq-check', 'rseq-check/seed', 'rseq-check/gallery', 'rseq-check/notebook']);
    for (const s of specifiers.slice(1)) expect(targetOf(s), s).toMatch(/^\.\/dist\/.+\.js$/);
    expect(all).toContain("import * as tslab from 'tslab'");
    expect(all).toMatch(/policy: 'linux-6\.19'/);
    expect(all).toContain('tslab.display.html(await result.toSvg())');
    expect(all).toContain('result.explain()');
  });

  it("runs (against the sources instead of dist/): a G1 verdict, three inline SVGs, the explanation", async () => {
    // The cells as one module: each entry point becomes the source of its dist/ target, tslab a recorder.
    const shown: string[] = [];
    const printed: string[] = [];
    (globalThis as Record<string, unknown>)['__tslab'] = { display: { html: (s: string) => shown.push(s) } };
    (globalThis as Record<string, unknown>)['__console'] = { log: (...a: unknown[]) => printed.push(a.join(' ')) };
    const source = code
      .join('\n')
      .replace("import * as tslab from 'tslab';", 'const tslab = (globalThis as any).__tslab; const console = (globalThis as any).__console;')
      .replace(/'(rseq-check(?:\/[a-z]+)?)'/g, (_m, s: string) => JSON.stringify(join(ROOT, targetOf(s)!.replace(/^\.\/dist\/(.+)\.js$/, '$1.ts'))));
    const dir = mkdtempSync(join(tmpdir(), 'rseq-nb-'));
    try {
      const file = join(dir, 'notebook.ts');
      writeFileSync(file, `${source}\nexport {};\n`);
      await import(/* @vite-ignore */ file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(printed).toContain('verdict: violation');
    expect(printed.join('\n')).toContain('violated: G1-atomicity');
    expect(printed.join('\n')).toContain("VIOLATED: seed-S1' under linux-6.19");
    expect(printed.join('\n')).toContain('VIOLATED: gallery-syscall-migrated-619 under linux-6.19+csCheckAfterSyscallSwitch=false: assertions');
    expect(shown).toHaveLength(3);
    for (const svg of shown) expect(svg).toContain('<svg');
  });
});
