/**
 * Which preset (and knobs over it) models a kernel version, stable point releases included.
 *
 * Mainline ranges pick the preset; fixes backported to stable series are knobs over it, from the
 * first point release that carries them. Every row names the kernel commit and how its version
 * was established (stable review mails and linux-stable-rc / CIP rev-lists, see README "Presets").
 */

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** A version's policy: a preset, knob overrides in `name=value` form, and why. */
export interface VersionPolicy {
  readonly preset: string | null;
  readonly knobs: readonly string[];
  readonly note: string;
}

/** Parses "6.18.44-fc-v595", "linux-6.12.38" or "7.0" into a version. */
export function parseRelease(r: string): KernelVersion | null {
  const m = /^(?:linux-)?(\d+)\.(\d+)(?:\.(\d+))?(?:$|[-+~_])/.exec(r.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

const series = (v: KernelVersion): number => v.major * 1000 + v.minor;
const text = (v: KernelVersion): string => `${v.major}.${v.minor}.${v.patch}`;

/**
 * Mainline ranges (first series of each): the preset of a x.y.0 kernel, and knobs over it where a
 * preset spans a series that changed one of its facts.
 */
const mainline: readonly { readonly from: number; readonly preset: string; readonly knobs?: readonly string[]; readonly why: string }[] = [
  { from: 4018, preset: 'linux-4.18', why: '4.18-5.4: CLONE_THREAD unregistration' },
  {
    from: 5005,
    preset: 'linux-5.5',
    knobs: ['eventRMWAtomicVsIPI=true'],
    why: '5.5-5.19: CLONE_VM unregistration (463f550fb47b, merged for 5.5-rc7); 5.5-5.9 predate the RSEQ membarrier (2a36ab717e8f, 5.10): no IPI can be lost',
  },
  { from: 5010, preset: 'linux-5.5', why: '5.5-5.19: CLONE_VM unregistration (463f550fb47b, merged for 5.5-rc7); from 5.10 a membarrier RSEQ IPI can be lost (2a36ab717e8f)' },
  { from: 6000, preset: 'linux-6.0', why: '6.0-6.2: NO_RESTART flags kill (0190e4198e47, merged for 6.0)' },
  { from: 6003, preset: 'linux-6.3', why: '6.3-6.14: registration does not clear rseq_cs' },
  {
    from: 6015,
    preset: 'linux-6.15',
    knobs: ['eventRMWAtomicVsIPI=false'],
    why: '6.15-6.17: registration clears rseq_cs (fd881d0a085f, merged for 6.15); a membarrier RSEQ IPI can still be lost (6eb350a22331 came in 6.18)',
  },
  { from: 6018, preset: 'linux-6.15', why: '6.18: registration clears rseq_cs (fd881d0a085f); event mask cleared with IRQs off (6eb350a22331, merged for 6.18)' },
  { from: 6019, preset: 'linux-6.19', why: '6.19-7.0: the exit-to-user rework' },
];

/**
 * Stable backports of a later fix: series → first point release carrying it, and the knob.
 * fd881d0a085f ("rseq: Fix segfault on registration when rseq_cs is non-zero");
 * 6eb350a22331 ("rseq: Protect event mask against membarrier IPI": 5.10.y and 5.15.y got none, the
 * patch failed to apply there); e9766e6f7d33 ("rseq: Protect rseq_reset() against interrupts") and
 * 2cb68e45120d ("rseq: Set rseq::cpu_id_start to 0 on unregistration"): 7.0.7, none in 6.19.y.
 * Checked against the stored kernel mail archives (issue #16): fd881d0a085f was queued for 6.14
 * stable ("[PATCH AUTOSEL 6.14 228/642]", X-stable-base 6.14.5, May 2025); the first point
 * release of each series above (and b9eac6a9d93c in 7.0.10) could not be confirmed there.
 */
const backports: readonly { readonly series: number; readonly patch: number; readonly knob: string; readonly commit: string }[] = [
  { series: 5010, patch: 240, knob: 'registrationClearsRseqCs=true', commit: 'fd881d0a085f' },
  { series: 5015, patch: 189, knob: 'registrationClearsRseqCs=true', commit: 'fd881d0a085f' },
  { series: 6001, patch: 146, knob: 'registrationClearsRseqCs=true', commit: 'fd881d0a085f' },
  { series: 6006, patch: 99, knob: 'registrationClearsRseqCs=true', commit: 'fd881d0a085f' },
  { series: 6012, patch: 39, knob: 'registrationClearsRseqCs=true', commit: 'fd881d0a085f' },
  { series: 6014, patch: 9, knob: 'registrationClearsRseqCs=true', commit: 'fd881d0a085f' },
  { series: 6001, patch: 157, knob: 'eventRMWAtomicVsIPI=true', commit: '6eb350a22331' },
  { series: 6006, patch: 113, knob: 'eventRMWAtomicVsIPI=true', commit: '6eb350a22331' },
  { series: 6012, patch: 54, knob: 'eventRMWAtomicVsIPI=true', commit: '6eb350a22331' },
  { series: 6017, patch: 4, knob: 'eventRMWAtomicVsIPI=true', commit: '6eb350a22331' },
  { series: 7000, patch: 7, knob: 'unregisterAtomicVsIpi=true', commit: 'e9766e6f7d33' },
  { series: 7000, patch: 7, knob: 'unregisterResetsCpuIdStart=0', commit: '2cb68e45120d' },
];

/** The newest series whose behaviour the presets were written from. */
const NEWEST_KNOWN_SERIES = 7001;

/**
 * Whether a version is one the presets know, up to the newest known series: a named policy
 * (`--policy linux-9.9`) must not guess. (Detecting a running newer kernel still maps it to the
 * newest preset, with its note saying so.)
 */
export function isKnownVersion(v: KernelVersion): boolean {
  return series(v) <= NEWEST_KNOWN_SERIES;
}

/** 7.0.y from this point release on carries b9eac6a9d93c (legacy mode) and 867d5e330588 (V2 read-only enforcement). */
const LEGACY_MODE_IN_7_0 = 10;

/**
 * The policy of a kernel version. From 7.1 (and 7.0.10) on it also depends on the registration
 * length (legacy for rseq_len == 32, optimized V2 above); `debugRseq` (CONFIG_DEBUG_RSEQ, or
 * rseq_debug=1 on 6.19+) adds what the debug checks change.
 */
export function policyForVersion(v: KernelVersion, registrationLength?: number, debugRseq = false): VersionPolicy {
  const base = basePolicy(v, registrationLength);
  if (!base.preset || !debugRseq) return base;
  const debug = series(v) >= 6019 ? 'csValidation=debug-full' : "syscallPolicy=c'";
  const why = series(v) >= 6019 ? 'debug mode: full validation, and a c.s. found at syscall exit is fatal' : "rseq_syscall() checks the IP at syscall exit (syscallPolicy c')";
  return { preset: base.preset, knobs: [...base.knobs, debug], note: `${base.note}; DEBUG_RSEQ: ${why}` };
}

function basePolicy(v: KernelVersion, registrationLength?: number): VersionPolicy {
  const n = series(v);
  const s = text(v);
  if (n < 4018) return { preset: null, knobs: [], note: `kernel ${s} predates rseq (merged in 4.18): no preset models it` };
  const legacyModeLanded = n > 7000 || (n === 7000 && v.patch >= LEGACY_MODE_IN_7_0);
  if (legacyModeLanded) {
    const where = n === 7000 ? `7.0.${LEGACY_MODE_IN_7_0}+ (b9eac6a9d93c backported)` : '7.1 or later';
    if (registrationLength === undefined || registrationLength < 0)
      return { preset: 'linux-7.1-legacy', knobs: [], note: `kernel ${s} is ${where}; the registration length is unknown, assuming glibc's 32-byte legacy registration` };
    return registrationLength > 32
      ? { preset: 'linux-7.1-v2', knobs: [], note: `kernel ${s} is ${where} and glibc registered ${registrationLength} bytes: optimized V2 mode` }
      : { preset: 'linux-7.1-legacy', knobs: [], note: `kernel ${s} is ${where} and glibc registered ${registrationLength} bytes: legacy mode` };
  }
  const range = [...mainline].reverse().find((r) => n >= r.from)!;
  const fixes = backports.filter((b) => b.series === n && v.patch >= b.patch);
  const knobs = overKnobs([...(range.knobs ?? []), ...fixes.map((b) => b.knob)]);
  const backported = fixes.map((b) => `; ${b.commit} backported in ${Math.floor(b.series / 1000)}.${b.series % 1000}.${b.patch}: ${b.knob}`).join('');
  return { preset: range.preset, knobs, note: `kernel ${s}: ${range.why}${backported}` };
}

/**
 * The range's knobs and then the backports' knobs, as `name=value`. A range knob departs from the
 * preset; a backport of the same knob with the other value brings the preset's value back, so the
 * two cancel (6.17.4: the range's eventRMWAtomicVsIPI=false and 6eb350a22331 leave linux-6.15).
 */
function overKnobs(knobs: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const k of knobs) {
    const name = k.slice(0, k.indexOf('='));
    if (byName.has(name) && byName.get(name) !== k) byName.delete(name);
    else byName.set(name, k);
  }
  return [...byName.values()];
}
