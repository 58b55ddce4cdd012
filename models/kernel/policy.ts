import { archKnobs } from './knobs/arch.js';
import type { KnobDef } from './knobs/define.js';
import { eventKnobs } from './knobs/events.js';
import { idKnobs } from './knobs/ids.js';
import { lifecycleKnobs } from './knobs/lifecycle.js';
import { processKnobs } from './knobs/process.js';
import { raceKnobs } from './knobs/races.js';
import { signalKnobs } from './knobs/signals.js';
import { syscallKnobs } from './knobs/syscalls.js';
import { validationKnobs } from './knobs/validation.js';
import { suggest, type InputError } from '../ir/errors.js';

/** Every knob, in display order. */
export const knobDefs: readonly KnobDef[] = [
  ...eventKnobs,
  ...idKnobs,
  ...validationKnobs,
  ...signalKnobs,
  ...syscallKnobs,
  ...lifecycleKnobs,
  ...archKnobs,
  ...processKnobs,
  ...raceKnobs,
];

/**
 * A resolved kernel policy: a value for every knob (the flat record the semantics reads), named
 * by its PolicySpec's `policyKey` (models/kernel/presets.ts). Plain data.
 */
export interface Policy {
  readonly name: string;
  readonly eventTracking: 'mask3' | 'anyEvent' | 'userIrqOnly' | 'legacyV1';
  readonly eventMaskClear: 'onlyWhenInCs' | 'everyExit';
  readonly abortOnPreempt: boolean;
  readonly abortOnMigrate: boolean;
  readonly abortOnSignal: boolean;
  readonly abortOnMembarrier: boolean;
  readonly abortOnTrap: boolean;
  readonly idUpdate: 'everyHandlerRun' | 'onChangeOnly';
  readonly readOnlyEnforcement: 'off' | 'warn' | 'kill';
  readonly csValidation: 'full-always' | 'minimal-in-range' | 'debug-full';
  readonly noRestartFlags: 'honoured' | 'kill' | 'ignored';
  readonly noRestartSignalRequiresBoth: boolean;
  readonly signalVsNotifyOrder: 'signal-first' | 'notify-first';
  readonly restartRewindOrder: 'before-fixup' | 'after-fixup';
  readonly syscallPolicy: 'a' | 'b' | 'c' | "c'" | 'd';
  readonly syscallSet: readonly string[];
  readonly syscallSetCheck: 'entry' | 'exit';
  readonly csCheckAfterSyscallSwitch: boolean;
  readonly forkUnregister: 'CLONE_THREAD' | 'CLONE_VM';
  readonly registrationClearsRseqCs: boolean;
  readonly membarrierExcludesCaller: boolean;
  readonly genericIrqEntry: boolean;
  readonly archSetsUserIrq: boolean;
  readonly kvmPath: 'dropNotify' | 'updateIds';
  readonly notifyOnExecFailure: boolean;
  readonly segvOnDelivery: 'force_sig' | 'force_sigsegv';
  readonly eventRMWAtomicVsIPI: boolean;
  readonly unregisterAtomicVsIpi: boolean;
  readonly unregisterResetsCpuIdStart: '0' | '-1';
  readonly mmCidUniqueness: 'strict' | 'racy-without-barrier';
}

export type KnobValues = Omit<Policy, 'name'>;

/** Knob values with every default filled in. */
export const defaultKnobs: KnobValues = Object.fromEntries(knobDefs.map((k) => [k.name, k.default])) as unknown as KnobValues;

/** Whether the policy belongs to the L619 family (events at switch-in, user_irq). */
export function isReworkFamily(p: Policy): boolean {
  return p.eventTracking === 'userIrqOnly' || p.eventTracking === 'legacyV1';
}

/**
 * Parses `name=value` overrides into knob values; every problem is returned as an error.
 */
export function parseKnobOverrides(specs: readonly string[], file = '<command line>'): { values: Partial<KnobValues>; errors: InputError[] } {
  const values: Record<string, unknown> = {};
  const errors: InputError[] = [];
  const names = knobDefs.map((k) => k.name);
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const raw = eq < 0 ? undefined : spec.slice(eq + 1);
    const def = knobDefs.find((k) => k.name === name);
    if (!def) {
      const s = suggest(name, names);
      errors.push({ code: 'unknown-knob', file, path: ['--knob', name], message: `unknown knob "${name}"`, hint: s ? `did you mean "${s}"?` : `see "rseq-check policies"` });
      continue;
    }
    if (raw === undefined) {
      errors.push({ code: 'bad-knob-value', file, path: ['--knob', name], message: `knob ${name} needs a value: --knob ${name}=VALUE` });
      continue;
    }
    const parsed = parseKnobValue(def, raw);
    if (parsed === undefined) {
      const allowed = def.values === 'boolean' ? 'true, false' : def.values === 'set' ? 'a comma-separated list of syscall names' : def.values.join(', ');
      errors.push({ code: 'bad-knob-value', file, path: ['--knob', name], message: `"${raw}" is not a value of ${name} (one of: ${allowed})` });
      continue;
    }
    values[name] = parsed;
  }
  return { values: values, errors };
}

function parseKnobValue(def: KnobDef, raw: string): string | boolean | readonly string[] | undefined {
  if (def.values === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (def.values === 'set') return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  return def.values.includes(raw) ? raw : undefined;
}

/** The knob values as `name=value` strings (for listings and reports). */
export function formatKnobs(values: Partial<KnobValues>): string[] {
  return Object.entries(values).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
}
