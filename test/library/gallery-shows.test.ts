/**
 * Every gallery entry's default counterexample (its `property` under `bugKnobs`, what
 * `rseq-check check gallery/NAME` prints) shows the mechanisms its title names (`shows`).
 */
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../run/check.js';
import type { Decision, ExplainedTrace, StepKind } from '../../run/explained-trace.js';
import { validateModel } from '../../models/ir/validate.js';
import { gallery, type GalleryEntry } from '../../models/library/gallery/entries.js';
import type { GalleryMechanism } from '../../models/library/gallery/mechanism.js';
import { schemaSync } from '../../reports/json.js';

// models/library cannot import run/, so mechanism.ts spells out the step and decision kinds
// again; these two lines stop it from naming one that explained-trace.ts does not have.
type StepMechanism = Exclude<GalleryMechanism, `syscall:${string}` | `decision:${string}`>;
type DecisionMechanism = Extract<GalleryMechanism, `decision:${string}`> extends `decision:${infer K}` ? K : never;
const stepKindsExist: [StepMechanism] extends [StepKind] ? true : never = true;
const decisionKindsExist: [DecisionMechanism] extends [Decision['kind']] ? true : never = true;

/** Whether a step of `trace` shows `mechanism` (models/library/gallery/mechanism.ts says how each is found). */
function traceShows(trace: ExplainedTrace, mechanism: GalleryMechanism): boolean {
  if (mechanism.startsWith('syscall:')) {
    const name = mechanism.slice('syscall:'.length);
    return trace.steps.some((s) => s.instruction !== undefined && (s.instruction.text === `syscall ${name}` || s.instruction.text.startsWith(`syscall ${name} `)));
  }
  if (mechanism.startsWith('decision:')) {
    const kind = mechanism.slice('decision:'.length);
    return trace.steps.some((s) => s.decisions.some((d) => d.kind === kind));
  }
  return trace.steps.some((s) => s.kind === mechanism);
}

async function defaultTrace(e: GalleryEntry, property = e.property): Promise<ExplainedTrace> {
  const v = validateModel(e.model, e.name);
  if (!v.ok) throw new Error(`${e.name} does not validate`);
  const r = await checkModel(v.ir, { policy: e.policy, knobs: e.bugKnobs, properties: [property] });
  if (r.verdict !== 'violation') throw new Error(`${e.name}: expected a violation of ${property}, got ${r.verdict}`);
  return r.trace;
}

const entry = (name: string): GalleryEntry => gallery.find((g) => g.name === name)!;

void [stepKindsExist, decisionKindsExist];

describe('gallery entries show what their titles name', () => {
  it('every entry declares at least one mechanism, each a known step kind, syscall or decision kind', () => {
    for (const e of gallery) {
      expect(e.shows.length, e.name).toBeGreaterThan(0);
      for (const m of e.shows) {
        const known = m.startsWith('syscall:') || (m.startsWith('decision:') && m.slice(9) in schemaSync.decisionKinds) || m in schemaSync.stepKinds;
        expect(known, `${e.name}: ${m}`).toBe(true);
      }
    }
  });

  it.each(gallery.map((e) => [e.name, e] as const))('%s', async (_n, e) => {
    const trace = await defaultTrace(e);
    expect(e.shows.filter((m) => !traceShows(trace, m))).toEqual([]);
  });

  it('syscall-migrated-619: T1 blocks in write on C0, migrates C0→C1 and fails the cpu_id re-check on C1', async () => {
    const trace = await defaultTrace(entry('syscall-migrated-619'));
    expect(trace.steps.filter((s) => s.kind === 'migrate').map((s) => s.text)).toEqual(['migration of T1 C0→C1 at main:7 inside inc_cs']);
    const last = trace.steps.at(-1)!;
    expect([last.cpu, last.instruction?.text]).toEqual(['C1', 'assert r2 eq r0']);
  });

  it('the check fails a trace without the mechanism: G1 on syscall-migrated-619 is broken by the sleep alone, without a migration', async () => {
    const e = entry('syscall-migrated-619');
    const g1 = await defaultTrace(e, 'G1-atomicity');
    expect(traceShows(g1, 'migrate')).toBe(false);
    expect(traceShows(g1, 'syscall:write')).toBe(true);
    expect(traceShows(g1, 'syscall:writ')).toBe(false);
  });
});
