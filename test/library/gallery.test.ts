/**
 * The known-bug gallery (models/library/gallery/entries.ts): every entry's property is violated
 * under its policy + bugKnobs and holds under its policy + fixKnobs; every `also` property is
 * violated by the bug and holds under the fix when the entry says so.
 */
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../run/check.js';
import { formatCheck } from '../../reports/text.js';
import type { ModelIR } from '../../models/ir/types.js';
import { validateModel } from '../../models/ir/validate.js';
import { resolvePreset } from '../../models/kernel/presets.js';
import { gallery, type GalleryEntry } from '../../models/library/gallery/entries.js';

function irOf(e: GalleryEntry): ModelIR {
  const v = validateModel(e.model);
  if (!v.ok) throw new Error(`${e.name} does not validate: ${JSON.stringify(v.errors)}`);
  return v.ir;
}

const cases = gallery.map((e) => [e.name, e] as const);

describe('known-bug gallery', () => {
  it('has the expected entries with unique names and known presets', () => {
    const names = gallery.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['syscall-migrated-619', 'clone-vm-registration', 'no-restart-signal-preempted-handler', 'no-restart-signal-preempted-handler-notify-first', 'stale-event-spurious-abort', 'arm64-user-irq', 'membarrier-ipi-lost-abort', 'unregister-ipi-false-kill', 'unregister-cpu-id-start', 'stale-rseq-cs-registration', 'mm-cid-racy-handover'])
      expect(names).toContain(n);
    for (const e of gallery) expect(resolvePreset(e.policy), e.policy).toBeDefined();
  });

  it.each(cases)('%s: the model validates', (_n, e) => {
    const v = validateModel(e.model);
    expect(v.ok ? [] : v.errors).toEqual([]);
  });

  it.each(cases)('%s: violated under policy + bugKnobs', async (_n, e) => {
    const r = await checkModel(irOf(e), { policy: e.policy, knobs: e.bugKnobs, properties: [e.property] });
    expect(r.verdict, formatCheck(r)).toBe('violation');
    if (r.verdict === 'violation') expect(r.property).toBe(e.property);
  });

  it.each(cases)('%s: holds under policy + fixKnobs', async (_n, e) => {
    const r = await checkModel(irOf(e), { policy: e.policy, knobs: e.fixKnobs, properties: [e.property] });
    expect(r.verdict, formatCheck(r)).toBe('pass');
  });

  it.each(gallery.filter((e) => e.also).map((e) => [e.name, e] as const))('%s: the further properties behave as stated', async (_n, e) => {
    for (const a of e.also!) {
      const bug = await checkModel(irOf(e), { policy: e.policy, knobs: e.bugKnobs, properties: [a.property] });
      expect(bug.verdict === 'violation' ? bug.property : bug.verdict, `${a.property} under the bug`).toBe(a.property);
      const fix = await checkModel(irOf(e), { policy: e.policy, knobs: e.fixKnobs, properties: [a.property] });
      expect(fix.verdict, `${a.property} under the fix`).toBe(a.fixHolds ? 'pass' : 'violation');
    }
  });

  it('no-restart-signal-preempted-handler: the fix is a justified kill (killed-as-promised), in both exit-loop orders', async () => {
    // rseq_need_restart (v4.18) returns -EINVAL for NO_RESTART_ON_SIGNAL without PREEMPT and
    // MIGRATE: the task gets SIGSEGV when the c.s. is evaluated with ip inside it. The thread
    // used the ABI wrongly, so the kill does not violate G2.
    for (const e of gallery.filter((x) => x.name.startsWith('no-restart-signal-preempted-handler'))) {
      const r = await checkModel(irOf(e), { policy: e.policy, knobs: e.fixKnobs, properties: ['G1-atomicity', 'G2-no-false-kill'] });
      expect(r.verdict).toBe('pass');
      expect(r.flags.map((f) => f.name)).toContain('killed-as-promised');
    }
  });

  it('the bug knobs are what the preset already says for the historical bugs', () => {
    // The gallery reproduces the preset's own behaviour where the bug is historical: 4.18 has
    // the CLONE_THREAD rule and stale event bits; 6.19 skips the c.s. after a syscall switch.
    expect(resolvePreset('linux-4.18')!.forkUnregister).toBe('CLONE_THREAD');
    expect(resolvePreset('linux-4.18')!.eventMaskClear).toBe('onlyWhenInCs');
    expect(resolvePreset('linux-6.19')!.csCheckAfterSyscallSwitch).toBe(false);
  });
});
