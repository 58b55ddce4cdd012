/**
 * Litmus mode: which kernel is running, and which preset models it.
 *
 * The version comes from uname (os.release()), the configuration from /proc/config.gz when the
 * kernel exposes it (CONFIG_DEBUG_RSEQ: the syscall-exit check, syscallPolicy c', before 6.19;
 * csValidation debug-full from 6.19 on).
 * From 7.1 on the preset also depends on the registration length (legacy for rseq_len == 32,
 * optimized V2 above), which the generated program reads with PTRACE_GET_RSEQ_CONFIGURATION.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { parseRelease, policyForVersion, type KernelVersion } from '../models/kernel/versions.js';

export { parseRelease };

export interface KernelInfo {
  /** As uname -r prints it. */
  readonly release: string;
  readonly version: KernelVersion | null;
  /** Node's name for the machine architecture (x64 for x86-64). */
  readonly arch: string;
  /** CONFIG_DEBUG_RSEQ=y; undefined when the configuration is not readable. */
  readonly debugRseq: boolean | undefined;
  readonly configSource: string | null;
  /** The preset that models this kernel, or null (with the reason in `note`). */
  readonly preset: string | null;
  /** Knob overrides on top of the preset (stable backports, DEBUG_RSEQ). */
  readonly knobs: readonly string[];
  /** Why this preset (or why none). */
  readonly note: string;
}

/** The preset of a kernel version, stable backports and the 7.1 modes included (models/kernel/versions.ts). */
export function presetForVersion(v: KernelVersion, registrationLength?: number): { preset: string | null; note: string } {
  const p = policyForVersion(v, registrationLength);
  return { preset: p.preset, note: p.note };
}

/** Reads CONFIG_DEBUG_RSEQ from a kernel configuration text. */
export function debugRseqIn(config: string): boolean {
  return /^CONFIG_DEBUG_RSEQ=y$/m.test(config);
}

/** Reads the running kernel's configuration, if it is exposed. */
function readKernelConfig(): { text: string; source: string } | null {
  try {
    if (existsSync('/proc/config.gz')) return { text: gunzipSync(readFileSync('/proc/config.gz')).toString('utf8'), source: '/proc/config.gz' };
    const boot = `/boot/config-${release()}`;
    if (existsSync(boot)) return { text: readFileSync(boot, 'utf8'), source: boot };
  } catch {
    return null;
  }
  return null;
}

/** Detects the running kernel (or the given one, for tests) and picks its preset. */
export function detectKernel(over: { release?: string; arch?: string; config?: string | null; registrationLength?: number } = {}): KernelInfo {
  const rel = over.release ?? release();
  const cfg = over.config !== undefined ? (over.config === null ? null : { text: over.config, source: '<given>' }) : readKernelConfig();
  const version = parseRelease(rel);
  const debugRseq = cfg ? debugRseqIn(cfg.text) : undefined;
  const base = version ? policyForVersion(version, over.registrationLength, debugRseq === true) : { preset: null, knobs: [], note: `cannot read a version from "${rel}"` };
  const knobs = base.preset ? base.knobs : [];
  const cfgNote = cfg ? (debugRseq ? `; ${cfg.source}: CONFIG_DEBUG_RSEQ=y` : `; ${cfg.source}: CONFIG_DEBUG_RSEQ is not set`) : '; no kernel configuration readable (assuming CONFIG_DEBUG_RSEQ is not set)';
  return {
    release: rel,
    version,
    arch: over.arch ?? arch(),
    debugRseq,
    configSource: cfg?.source ?? null,
    preset: base.preset,
    knobs,
    note: base.note + (base.preset ? cfgNote : ''),
  };
}
