import { InputErrors, suggest } from '../ir/errors.js';
import { isKnownVersion, parseRelease, policyForVersion } from './versions.js';
import { defaultKnobs, formatKnobs, parseKnobOverrides, type KnobValues, type Policy } from './policy.js';

/** The policy of a check that names none: what this machine's 6.18 kernel implements. */
const DEFAULT_POLICY = 'linux-6.15';

/** A named preset: a base and the knobs that differ from it (presets are diffs). */
export interface PresetDef {
  readonly name: string;
  readonly base: string | null;
  readonly diff: Partial<KnobValues>;
  readonly doc: string;
  /** Kernel version presets vs the seed thread's proposals. */
  readonly kind: 'kernel' | 'proposal';
}

/**
 * rseq(UNREGISTER) fixed in 7.1 (stable 7.0.7): rseq_reset() under guard(irqsave) (e9766e6f7d33)
 * and cpu_id_start reset to 0 again (2cb68e45120d).
 */
const UNREGISTER_FIXED = { unregisterAtomicVsIpi: true, unregisterResetsCpuIdStart: '0' } as const;

const kernels: PresetDef[] = [
  {
    name: 'linux-4.18',
    base: null,
    kind: 'kernel',
    doc: 'merged design (4.18-5.4, L418): PREEMPT/SIGNAL/MIGRATE bits honouring NO_RESTART flags, stale bits, no syscall enforcement (policy a); CLONE_THREAD unregistration bug present',
    diff: { forkUnregister: 'CLONE_THREAD' },
  },
  {
    name: 'linux-5.5',
    base: 'linux-4.18',
    kind: 'kernel',
    doc: '5.5-5.19: a CLONE_VM child is unregistered (463f550fb47b, merged for 5.5-rc7; stable 4.19 from the 2020-02-03 review series); from 5.10 (2a36ab717e8f) a membarrier RSEQ IPI can be lost between reading and clearing the event mask (5.5-5.9 have no RSEQ membarrier: resolve the version, e.g. --policy linux-5.9)',
    diff: { forkUnregister: 'CLONE_VM', eventRMWAtomicVsIPI: false },
  },
  {
    name: 'linux-6.0',
    base: 'linux-5.5',
    kind: 'kernel',
    doc: '6.0-6.2: NO_RESTART flags deprecated: any such bit kills (0190e4198e47, merged for 6.0)',
    diff: { eventTracking: 'anyEvent', noRestartFlags: 'kill' },
  },
  {
    name: 'linux-6.3',
    base: 'linux-6.0',
    kind: 'kernel',
    doc: '6.3-6.14: node_id, mm_cid; registration leaves a stale rseq_cs (stable releases with fd881d0a085f: resolve the version, e.g. --policy linux-6.12.39)',
    diff: {},
  },
  {
    name: 'linux-6.15',
    base: 'linux-6.3',
    kind: 'kernel',
    doc: '6.15-6.18 (this machine runs 6.18): registration clears rseq_cs (fd881d0a085f, merged for 6.15); the event mask is cleared with IRQs off (6eb350a22331, merged for 6.18, stable 6.17.4: 6.15.0-6.17.3 resolve with eventRMWAtomicVsIPI=false)',
    diff: { registrationClearsRseqCs: true, eventRMWAtomicVsIPI: true },
  },
  {
    name: 'linux-6.19',
    base: 'linux-6.15',
    kind: 'kernel',
    doc: '6.19/7.0.0-7.0.9 rework: events evaluated only after interrupts (user_irq), IDs written on change, minimal validation, no c.s. check at syscall exit; rseq(UNREGISTER) resets without an IRQ guard and writes -1 to cpu_id_start (fixed by e9766e6f7d33 and 2cb68e45120d, stable 7.0.7)',
    diff: {
      eventTracking: 'userIrqOnly',
      eventMaskClear: 'everyExit',
      idUpdate: 'onChangeOnly',
      csValidation: 'minimal-in-range',
      noRestartFlags: 'ignored',
      csCheckAfterSyscallSwitch: false,
      unregisterAtomicVsIpi: false,
      unregisterResetsCpuIdStart: '-1',
    },
  },
  {
    name: 'linux-7.1-legacy',
    base: 'linux-6.19',
    kind: 'kernel',
    doc: '7.1 and 7.0.10+ legacy mode (b9eac6a9d93c, rseq_len == 32): IDs rewritten and events raised after every switch; the c.s. check after a syscall-exit switch is still skipped [unverified, §2.6 caveat]; unregistration fixed (e9766e6f7d33, 2cb68e45120d)',
    diff: { eventTracking: 'legacyV1', idUpdate: 'everyHandlerRun', ...UNREGISTER_FIXED },
  },
  {
    name: 'linux-7.1-v2',
    base: 'linux-6.19',
    kind: 'kernel',
    doc: '7.1 and 7.0.10+ optimized V2 mode (rseq_len > 32): as 6.19 plus strict read-only field enforcement (867d5e330588); unregistration fixed (e9766e6f7d33, 2cb68e45120d)',
    diff: { readOnlyEnforcement: 'kill', ...UNREGISTER_FIXED },
  },
];

/** The seed thread's proposals (§5.1) over the two base kernels the review compares. */
const proposalBases = ['linux-4.18', 'linux-6.19'] as const;
const proposals: PresetDef[] = proposalBases.flatMap((base) => {
  const v = base.slice('linux-'.length);
  return [
    { name: `a@${v}`, base, kind: 'proposal' as const, doc: `(a) no enforcement, over ${base}`, diff: { syscallPolicy: 'a' as const } },
    { name: `b@${v}`, base, kind: 'proposal' as const, doc: `(b) SIGSEGV at syscall entry when rseq_cs != 0, over ${base}`, diff: { syscallPolicy: 'b' as const } },
    { name: `c@${v}`, base, kind: 'proposal' as const, doc: `(c) SIGSEGV at syscall entry when ip_e is in the c.s., over ${base}`, diff: { syscallPolicy: 'c' as const } },
    { name: `c'@${v}`, base, kind: 'proposal' as const, doc: `(c') SIGSEGV at syscall exit when ip_x is in the c.s. (as DEBUG_RSEQ), over ${base}`, diff: { syscallPolicy: "c'" as const } },
    {
      name: `d@${v}`,
      base,
      kind: 'proposal' as const,
      doc: `(d) check (c) only for fork and clone_vm, over ${base}`,
      diff: { syscallPolicy: 'd' as const, syscallSet: ['fork', 'clone_vm'], syscallSetCheck: 'entry' as const },
    },
  ];
});

export const presetDefs: readonly PresetDef[] = [...kernels, ...proposals];
export const kernelPresetNames: readonly string[] = kernels.map((k) => k.name);
export const proposalPresetNames: readonly string[] = proposals.map((p) => p.name);

/** Resolves a preset to full knob values by applying its chain of diffs to the defaults. */
export function resolvePreset(name: string): Policy | undefined {
  const def = presetDefs.find((p) => p.name === name);
  if (!def) return undefined;
  const base: KnobValues = def.base === null ? defaultKnobs : resolvePreset(def.base)!;
  const { name: _ignored, ...baseKnobs } = base as Policy;
  return { ...baseKnobs, ...def.diff, name };
}

/**
 * A policy's identity: a preset and the knobs set over it. The knobs keep the order they were
 * first given in (a knob given twice keeps its first place and its last value), so that the
 * key reads as the command line or the gallery entry wrote it.
 */
export interface PolicySpec {
  readonly preset: string;
  readonly knobs: Partial<KnobValues>;
}

/**
 * The one name of a policy, `preset` or `preset+knob=value+...`: what result headers, JSON
 * documents, reports and litmus print, and what policies are compared by.
 */
function policyKey(spec: PolicySpec): string {
  return [spec.preset, ...formatKnobs(spec.knobs)].join('+');
}

/**
 * Checks a preset name and knob overrides (`name=value` strings or typed values) into a
 * PolicySpec; an unknown preset, knob or value throws InputErrors.
 */
export function policySpec(preset: string = DEFAULT_POLICY, knobs: readonly string[] | Partial<KnobValues> = []): PolicySpec {
  presetOrThrow(preset);
  const { values, errors } = parseKnobOverrides(isKnobList(knobs) ? knobs : formatKnobs(knobs));
  if (errors.length > 0) throw new InputErrors(errors);
  return { preset, knobs: values };
}

/**
 * `spec` under another preset and further knobs (a knob given again takes the new value): a
 * gallery entry's bug policy under the caller's `--policy` and `--knob`.
 */
export function overridePolicy(spec: PolicySpec, preset: string = spec.preset, knobs: readonly string[] | Partial<KnobValues> = []): PolicySpec {
  return { preset, knobs: { ...spec.knobs, ...policySpec(preset, knobs).knobs } };
}

/** The flat knob record the semantics reads, named by `policyKey`. Bad input throws InputErrors. */
export function resolvePolicy(spec: PolicySpec): Policy;
/** The same for a preset name (by default DEFAULT_POLICY) and knob overrides. */
export function resolvePolicy(preset?: string, knobs?: readonly string[] | Partial<KnobValues>): Policy;
export function resolvePolicy(policy?: PolicySpec | string, knobs?: readonly string[] | Partial<KnobValues>): Policy {
  const spec = typeof policy === 'object' ? policy : policySpec(policy, knobs);
  return { ...presetOrThrow(spec.preset), ...spec.knobs, name: policyKey(spec) };
}

function presetOrThrow(name: string): Policy {
  const preset = resolvePreset(name) ?? versionPreset(name);
  if (preset) return preset;
  const v = parseRelease(name);
  if (v && isKnownVersion(v)) throw new InputErrors([{ code: 'unknown-policy', file: '<command line>', path: ['--policy'], message: `no policy for "${name}": ${policyForVersion(v).note}` }]);
  const s = suggest(name, presetDefs.map((p) => p.name));
  throw new InputErrors([{ code: 'unknown-policy', file: '<command line>', path: ['--policy'], message: `unknown policy "${name}"`, hint: s ? `did you mean "${s}"?` : 'see "rseq-check policies", or name a kernel version (linux-6.12.38)' }]);
}

/**
 * A kernel version named as a policy (`linux-6.12.38`, `6.12.39`): the preset of that version
 * with the stable backports it carries (models/kernel/versions.ts), under the name given.
 */
function versionPreset(name: string): Policy | undefined {
  const v = parseRelease(name);
  const vp = v && isKnownVersion(v) ? policyForVersion(v) : undefined;
  if (!vp?.preset) return undefined;
  const { values } = parseKnobOverrides(vp.knobs);
  return { ...resolvePreset(vp.preset)!, ...values, name };
}

function isKnobList(knobs: readonly string[] | Partial<KnobValues>): knobs is readonly string[] {
  return Array.isArray(knobs);
}
