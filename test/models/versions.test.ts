import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { parseRelease, policyForVersion } from '../../models/kernel/versions.js';
import { InputErrors } from '../../models/ir/errors.js';

const of = (r: string, len?: number, debug = false): { preset: string | null; knobs: readonly string[] } => {
  const p = policyForVersion(parseRelease(r)!, len, debug);
  return { preset: p.preset, knobs: p.knobs };
};

describe('kernel versions resolve to presets, stable backports included', () => {
  it('registration clears rseq_cs (fd881d0a085f) in 6.15 and from the first stable release carrying it', () => {
    expect(of('6.14.8')).toEqual({ preset: 'linux-6.3', knobs: [] });
    expect(of('6.14.9')).toEqual({ preset: 'linux-6.3', knobs: ['registrationClearsRseqCs=true'] });
    // 6.15.0 also predates the event-mask fix (6eb350a22331, 6.18): see below.
    expect(of('6.15.0')).toEqual({ preset: 'linux-6.15', knobs: ['eventRMWAtomicVsIPI=false'] });
    expect(of('6.12.38')).toEqual({ preset: 'linux-6.3', knobs: [] });
    expect(of('6.12.39')).toEqual({ preset: 'linux-6.3', knobs: ['registrationClearsRseqCs=true'] });
    expect(of('6.6.98').knobs).toEqual([]);
    expect(of('6.6.99').knobs).toEqual(['registrationClearsRseqCs=true']);
    expect(of('6.1.145')).toEqual({ preset: 'linux-6.0', knobs: [] });
    expect(of('6.1.146')).toEqual({ preset: 'linux-6.0', knobs: ['registrationClearsRseqCs=true'] });
    expect(of('5.15.188')).toEqual({ preset: 'linux-5.5', knobs: [] });
    expect(of('5.15.189')).toEqual({ preset: 'linux-5.5', knobs: ['registrationClearsRseqCs=true'] });
    expect(of('5.10.239').knobs).toEqual([]);
    expect(of('5.10.240').knobs).toEqual(['registrationClearsRseqCs=true']);
    // 6.3-6.13 got no backport: every point release leaves the stale rseq_cs.
    expect(of('6.7.12')).toEqual({ preset: 'linux-6.3', knobs: [] });
  });

  it('5.5+ unregisters a CLONE_VM child (463f550fb47b); 4.18-5.4 keep the CLONE_THREAD rule', () => {
    expect(of('5.4.0').preset).toBe('linux-4.18');
    expect(of('5.5.0').preset).toBe('linux-5.5');
    expect(resolvePolicy('linux-4.18').forkUnregister).toBe('CLONE_THREAD');
    expect(resolvePolicy('linux-5.5').forkUnregister).toBe('CLONE_VM');
    expect(resolvePolicy('linux-5.5').noRestartFlags).toBe('honoured');
    expect(resolvePolicy('linux-6.0').noRestartFlags).toBe('kill');
  });

  it('7.0.10+ carries the legacy-mode backport (b9eac6a9d93c): legacy or V2 by registration length', () => {
    expect(of('7.0.9', 32).preset).toBe('linux-6.19');
    expect(of('7.0.10', 32).preset).toBe('linux-7.1-legacy');
    expect(of('7.0.10', 64).preset).toBe('linux-7.1-v2');
    expect(of('7.1.0', 32).preset).toBe('linux-7.1-legacy');
  });

  it('a membarrier IPI is lost between reading and clearing the event mask from 5.10 (2a36ab717e8f) until 6eb350a22331 (6.18; stable 6.1.157, 6.6.113, 6.12.54, 6.17.4)', () => {
    expect(resolvePolicy('linux-4.18').eventRMWAtomicVsIPI).toBe(true);
    expect(resolvePolicy('linux-5.5').eventRMWAtomicVsIPI).toBe(false);
    expect(resolvePolicy('linux-6.0').eventRMWAtomicVsIPI).toBe(false);
    expect(resolvePolicy('linux-6.3').eventRMWAtomicVsIPI).toBe(false);
    expect(resolvePolicy('linux-6.15').eventRMWAtomicVsIPI).toBe(true);
    // 5.5-5.9 have no RSEQ membarrier: nothing can be lost.
    expect(of('5.9.16')).toEqual({ preset: 'linux-5.5', knobs: ['eventRMWAtomicVsIPI=true'] });
    expect(of('5.10.0')).toEqual({ preset: 'linux-5.5', knobs: [] });
    // 5.10.y and 5.15.y never got the fix (it failed to apply there).
    expect(of('5.10.240').knobs).toEqual(['registrationClearsRseqCs=true']);
    expect(of('5.15.199').knobs).toEqual(['registrationClearsRseqCs=true']);
    expect(of('6.1.156').knobs).toEqual(['registrationClearsRseqCs=true']);
    expect(of('6.1.157').knobs).toEqual(['registrationClearsRseqCs=true', 'eventRMWAtomicVsIPI=true']);
    expect(of('6.6.112').knobs).toEqual(['registrationClearsRseqCs=true']);
    expect(of('6.6.113').knobs).toEqual(['registrationClearsRseqCs=true', 'eventRMWAtomicVsIPI=true']);
    expect(of('6.12.53').knobs).toEqual(['registrationClearsRseqCs=true']);
    expect(of('6.12.54').knobs).toEqual(['registrationClearsRseqCs=true', 'eventRMWAtomicVsIPI=true']);
    expect(of('6.14.11').knobs).toEqual(['registrationClearsRseqCs=true']);
    // linux-6.15 models 6.18 (and 6.17.4+): the earlier 6.15-6.17 releases lack the fix.
    expect(of('6.15.0')).toEqual({ preset: 'linux-6.15', knobs: ['eventRMWAtomicVsIPI=false'] });
    expect(of('6.16.12')).toEqual({ preset: 'linux-6.15', knobs: ['eventRMWAtomicVsIPI=false'] });
    expect(of('6.17.3')).toEqual({ preset: 'linux-6.15', knobs: ['eventRMWAtomicVsIPI=false'] });
    expect(of('6.17.4')).toEqual({ preset: 'linux-6.15', knobs: [] });
    expect(of('6.18.0')).toEqual({ preset: 'linux-6.15', knobs: [] });
    expect(resolvePolicy('6.17.3')).toMatchObject({ name: '6.17.3', eventRMWAtomicVsIPI: false, registrationClearsRseqCs: true });
  });

  it('6.19 and 7.0.0-7.0.6 unregister without an IRQ guard and write -1 to cpu_id_start; 7.0.7 and 7.1 carry e9766e6f7d33 and 2cb68e45120d', () => {
    expect(resolvePolicy('linux-6.15')).toMatchObject({ unregisterAtomicVsIpi: true, unregisterResetsCpuIdStart: '0' });
    expect(resolvePolicy('linux-6.19')).toMatchObject({ unregisterAtomicVsIpi: false, unregisterResetsCpuIdStart: '-1' });
    expect(resolvePolicy('linux-7.1-legacy')).toMatchObject({ unregisterAtomicVsIpi: true, unregisterResetsCpuIdStart: '0' });
    expect(resolvePolicy('linux-7.1-v2')).toMatchObject({ unregisterAtomicVsIpi: true, unregisterResetsCpuIdStart: '0' });
    expect(of('6.19.14')).toEqual({ preset: 'linux-6.19', knobs: [] });
    expect(of('7.0.6')).toEqual({ preset: 'linux-6.19', knobs: [] });
    expect(of('7.0.7')).toEqual({ preset: 'linux-6.19', knobs: ['unregisterAtomicVsIpi=true', 'unregisterResetsCpuIdStart=0'] });
    expect(resolvePolicy('7.0.9')).toMatchObject({ eventTracking: 'userIrqOnly', unregisterAtomicVsIpi: true, unregisterResetsCpuIdStart: '0' });
  });

  it('DEBUG_RSEQ: the syscall-exit IP check before 6.19, debug-full validation from 6.19 on', () => {
    expect(of('6.18.3', undefined, true).knobs).toEqual(["syscallPolicy=c'"]);
    expect(of('6.19.0', undefined, true).knobs).toEqual(['csValidation=debug-full']);
    expect(of('6.12.39', undefined, true).knobs).toEqual(['registrationClearsRseqCs=true', "syscallPolicy=c'"]);
  });

  it('a version is a policy name: --policy linux-6.12.38 vs linux-6.12.39', () => {
    expect(resolvePolicy('linux-6.12.38')).toMatchObject({ name: 'linux-6.12.38', registrationClearsRseqCs: false, eventTracking: 'anyEvent' });
    expect(resolvePolicy('linux-6.12.39')).toMatchObject({ name: 'linux-6.12.39', registrationClearsRseqCs: true });
    expect(resolvePolicy('6.18.44')).toMatchObject({ name: '6.18.44', registrationClearsRseqCs: true });
    expect(resolvePolicy().name).toBe('linux-6.15');
    expect(() => resolvePolicy('linux-4.9')).toThrow(InputErrors);
    expect(() => resolvePolicy('linux-4.9')).toThrow(/predates rseq/);
    // A version newer than any the presets were written from is not guessed.
    expect(() => resolvePolicy('linux-9.9')).toThrow(/unknown policy "linux-9.9"/);
    expect(resolvePolicy('linux-7.1.3').name).toBe('linux-7.1.3');
  });
});
