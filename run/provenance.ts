/**
 * Where a result came from: the tool's version and commit, when, the command line (or
 * "library"), the policy, Node and the platform, and for litmus the running kernel. Every JSON
 * document and HTML report carries one, under one `provenance` key (so a behaviour fingerprint
 * can leave it out whole). The one place that builds it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Policy } from '../models/kernel/policy.js';

/** The version of the JSON documents' schema (reports/schema/CHANGELOG.md says what changed). */
export const SCHEMA_VERSION = 2;

/** The provenance of one document. */
export interface Provenance {
  /** The schema version the document follows. */
  readonly schemaVersion: number;
  /** rseq-check's package version and the git commit it was built from ("unknown" outside a checkout). */
  readonly tool: { readonly name: 'rseq-check'; readonly version: string; readonly commit: string };
  /** When the document was made (ISO 8601, UTC). */
  readonly date: string;
  /** The command line's arguments after the program (credentials masked), or "library" for a call of the library. */
  readonly command: readonly string[] | 'library';
  /** The policy checked under: its name and every knob's value. Absent for documents of several policies (the review, listings). */
  readonly policy?: { readonly name: string; readonly knobs: Readonly<Record<string, unknown>> };
  /** `process.version`. */
  readonly node: string;
  /** `process.platform` and `process.arch`, e.g. `linux-x64`. */
  readonly platform: string;
  /** The running kernel's release (uname -r): for litmus runs, which ran on it. */
  readonly kernel?: string;
}

let commandLine: readonly string[] | 'library' = 'library';

/** Records the command line the process runs (the CLI calls it once, first); until then documents say "library". */
export function recordCommandLine(args: readonly string[]): void {
  commandLine = maskCredentials(args);
}

/** The provenance of a document made now, under `policy` if it has one; `kernel`: the release (uname -r) a litmus run ran on. */
export function buildProvenance(options: { policy?: Policy; kernel?: string } = {}): Provenance {
  const build = buildInfo();
  const policy = options.policy;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'rseq-check', version: build.version, commit: build.commit },
    date: new Date().toISOString(),
    command: commandLine,
    ...(policy ? { policy: { name: policy.name, knobs: knobsOf(policy) } } : {}),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    ...(options.kernel !== undefined ? { kernel: options.kernel } : {}),
  };
}

/** `args` with the values of credential-like options (`--token X`, `--password=X`) and URL passwords replaced by `***`. */
export function maskCredentials(args: readonly string[]): string[] {
  const secret = /^--?[\w-]*(token|password|passwd|secret|api-?key|auth|credential)[\w-]*$/i;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    if (eq > 0 && secret.test(arg.slice(0, eq))) out.push(`${arg.slice(0, eq)}=***`);
    else if (secret.test(arg) && i + 1 < args.length) {
      out.push(arg, '***');
      i++;
    } else out.push(arg.replace(/(\w+:\/\/[^/\s:@]*):[^@\s/]+@/g, '$1:***@'));
  }
  return out;
}

function knobsOf(policy: Policy): Record<string, unknown> {
  const { name: _name, ...knobs } = policy;
  return knobs;
}

let cachedBuild: { version: string; commit: string } | undefined;

/**
 * The version (package.json) and the commit (dist/build-info.json, written at build time by
 * scripts/copy-assets.mjs: an installed package has no .git). Looked up beside the compiled
 * module (dist/run/) and beside the sources (run/).
 */
function buildInfo(): { version: string; commit: string } {
  if (cachedBuild) return cachedBuild;
  const info = readJson(['../build-info.json', '../dist/build-info.json']);
  // dist/package.json never exists, so from dist/run/ the first candidate is skipped.
  const found = readJson(['../package.json', '../../package.json']);
  const pkg = found?.['name'] === 'rseq-check' ? found : undefined;
  cachedBuild = {
    version: typeof info?.['version'] === 'string' ? info['version'] : typeof pkg?.['version'] === 'string' ? pkg['version'] : 'unknown',
    commit: typeof info?.['commit'] === 'string' ? info['commit'] : 'unknown',
  };
  return cachedBuild;
}

function readJson(relative: readonly string[]): Record<string, unknown> | undefined {
  for (const rel of relative) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(file)) continue;
    try {
      const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // An unreadable file says nothing: the next candidate, or "unknown".
    }
  }
  return undefined;
}
