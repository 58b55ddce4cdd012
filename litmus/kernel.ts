/**
 * Litmus mode: which kernel is running, and which preset models it.
 *
 * The version comes from uname (os.release()), the configuration from /proc/config.gz when the
 * kernel exposes it (CONFIG_DEBUG_RSEQ turns on the syscall-exit check: syscallPolicy c').
 * From 7.1 on the preset also depends on the registration length (legacy for rseq_len == 32,
 * optimized V2 above), which the generated program reads with PTRACE_GET_RSEQ_CONFIGURATION.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { gunzipSync } from 'node:zlib';

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

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
  /** Knob overrides on top of the preset (DEBUG_RSEQ). */
  readonly knobs: readonly string[];
  /** Why this preset (or why none). */
  readonly note: string;
}

/** Parses "6.18.44-fc-v595" into 6.18.44. */
export function parseRelease(r: string): KernelVersion | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/**
 * The preset of a kernel version: 4.18–5.x linux-4.18, 6.0–6.2 linux-6.0, 6.3–6.18 linux-6.3,
 * 6.19–7.0 linux-6.19, 7.1+ linux-7.1-legacy (registration length 32) or linux-7.1-v2 (longer).
 */
export function presetForVersion(v: KernelVersion, registrationLength?: number): { preset: string | null; note: string } {
  const n = v.major * 1000 + v.minor;
  const s = `${v.major}.${v.minor}`;
  if (n < 4018) return { preset: null, note: `kernel ${s} predates rseq (merged in 4.18): no preset models it` };
  if (n < 6000) return { preset: 'linux-4.18', note: `kernel ${s} is in 4.18–5.x` };
  if (n < 6003) return { preset: 'linux-6.0', note: `kernel ${s} is in 6.0–6.2` };
  if (n <= 6018) return { preset: 'linux-6.3', note: `kernel ${s} is in 6.3–6.18` };
  if (n <= 7000) return { preset: 'linux-6.19', note: `kernel ${s} is in 6.19–7.0` };
  if (registrationLength === undefined || registrationLength < 0)
    return { preset: 'linux-7.1-legacy', note: `kernel ${s} is 7.1 or later; the registration length is unknown, assuming glibc's 32-byte legacy registration` };
  return registrationLength > 32
    ? { preset: 'linux-7.1-v2', note: `kernel ${s} is 7.1 or later and glibc registered ${registrationLength} bytes: optimized V2 mode` }
    : { preset: 'linux-7.1-legacy', note: `kernel ${s} is 7.1 or later and glibc registered ${registrationLength} bytes: legacy mode` };
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
  const base = version ? presetForVersion(version, over.registrationLength) : { preset: null, note: `cannot read a version from "${rel}"` };
  const knobs = base.preset && debugRseq ? ["syscallPolicy=c'"] : [];
  const cfgNote = cfg ? (debugRseq ? `; ${cfg.source}: CONFIG_DEBUG_RSEQ=y, so syscallPolicy c' (the syscall-exit IP check)` : `; ${cfg.source}: CONFIG_DEBUG_RSEQ is not set`) : '; no kernel configuration readable (assuming CONFIG_DEBUG_RSEQ is not set)';
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
