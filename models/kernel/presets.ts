import { InputErrors, suggest } from '../ir/errors.js';
import { defaultKnobs, parseKnobOverrides, type KnobValues, type Policy } from './policy.js';

/** The policy of a check that names none: what this machine's 6.18 kernel implements. */
export const DEFAULT_POLICY = 'linux-6.3';

/** A named preset: a base and the knobs that differ from it (presets are diffs). */
export interface PresetDef {
  readonly name: string;
  readonly base: string | null;
  readonly diff: Partial<KnobValues>;
  readonly doc: string;
  /** Kernel version presets vs the seed thread's proposals. */
  readonly kind: 'kernel' | 'proposal';
}

const kernels: PresetDef[] = [
  {
    name: 'linux-4.18',
    base: null,
    kind: 'kernel',
    doc: 'merged design (4.18/4.19, L418): PREEMPT/SIGNAL/MIGRATE bits honouring NO_RESTART flags, stale bits, no syscall enforcement (policy a); CLONE_THREAD unregistration bug present',
    diff: { forkUnregister: 'CLONE_THREAD' },
  },
  {
    name: 'linux-6.0',
    base: 'linux-4.18',
    kind: 'kernel',
    doc: 'NO_RESTART flags deprecated: any such bit kills (0190e4198e47); CLONE_VM unregistration (463f550fb47b)',
    diff: { eventTracking: 'anyEvent', noRestartFlags: 'kill', forkUnregister: 'CLONE_VM' },
  },
  {
    name: 'linux-6.3',
    base: 'linux-6.0',
    kind: 'kernel',
    doc: '6.3-6.18 (this machine runs 6.18): node_id, mm_cid; registration clears rseq_cs (fd881d0a085f)',
    diff: { registrationClearsRseqCs: true },
  },
  {
    name: 'linux-6.19',
    base: 'linux-6.3',
    kind: 'kernel',
    doc: "6.19/7.0 rework: events evaluated only after interrupts (user_irq), IDs written on change, minimal validation, no c.s. check at syscall exit",
    diff: {
      eventTracking: 'userIrqOnly',
      eventMaskClear: 'everyExit',
      idUpdate: 'onChangeOnly',
      csValidation: 'minimal-in-range',
      noRestartFlags: 'ignored',
      csCheckAfterSyscallSwitch: false,
    },
  },
  {
    name: 'linux-7.1-legacy',
    base: 'linux-6.19',
    kind: 'kernel',
    doc: '7.1 legacy mode (rseq_len == 32): IDs rewritten and events raised after every switch; the c.s. check after a syscall-exit switch is still skipped [unverified, §2.6 caveat]',
    diff: { eventTracking: 'legacyV1', idUpdate: 'everyHandlerRun' },
  },
  {
    name: 'linux-7.1-v2',
    base: 'linux-6.19',
    kind: 'kernel',
    doc: '7.1 optimized V2 mode (rseq_len > 32): as 6.19 plus strict read-only field enforcement (867d5e330588)',
    diff: { readOnlyEnforcement: 'kill' },
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
  return { ...baseKnobs, ...def.diff, name } as Policy;
}

/** The knob values that differ between a preset and its base (what `policies` prints). */
export function presetDiff(name: string): Partial<KnobValues> | undefined {
  return presetDefs.find((p) => p.name === name)?.diff;
}

/** Resolves a policy name plus overrides, or reports what is wrong. */
export function resolvePolicy(name: string = DEFAULT_POLICY, knobs?: readonly string[] | Partial<KnobValues>): Policy {
  const base = resolvePreset(name);
  if (!base) {
    const s = suggest(name, presetDefs.map((p) => p.name));
    throw new InputErrors([{ code: 'unknown-policy', file: '<command line>', path: ['--policy'], message: `unknown policy "${name}"`, hint: s ? `did you mean "${s}"?` : 'see "rseq-check policies"' }]);
  }
  if (!knobs) return base;
  if (Array.isArray(knobs)) {
    const { values, errors } = parseKnobOverrides(knobs as readonly string[]);
    if (errors.length > 0) throw new InputErrors(errors);
    return Object.keys(values).length > 0 ? { ...base, ...values, name: `${name}+${(knobs as readonly string[]).join('+')}` } : base;
  }
  const typed = knobs as Partial<KnobValues>;
  const { errors } = parseKnobOverrides(Object.entries(typed).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`));
  if (errors.length > 0) throw new InputErrors(errors);
  const desc = Object.entries(typed).map(([k, v]) => `${k}=${String(v)}`).join('+');
  return Object.keys(typed).length > 0 ? { ...base, ...typed, name: `${name}+${desc}` } : base;
}
