/**
 * The package as a user gets it: `npm pack` (of the build in dist/: npm test builds first),
 * the tarball installed into a temporary project, then the installed CLI, a library
 * `check('gallery/…')` and the example notebook's code cells, all against the installed copy.
 *
 * The dependencies come from the local npm cache (`--prefer-offline`), the network only for
 * what it lacks; when both fail the test skips and says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotebookCells } from './notebook-cells.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; exports: Record<string, string | { types: string; default: string }> };

interface PackedFile {
  readonly path: string;
}

let dir: string;
let files: string[] = [];
let tarball = '';
/** Why the tarball could not be installed (no cache, no network), or undefined when it was. */
let cannotInstall: string | undefined;

function npm(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(cmd: string, args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'rseq-package-'));
  // The build is there already: --ignore-scripts skips `prepare`, which would build again.
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const info = (JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[])[0]!;
  files = info.files.map((f) => f.path);
  tarball = join(dir, info.filename);

  const app = join(dir, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'rseq-check-package-test', private: true, type: 'module' }));
  const installed = npm(['install', '--prefer-offline', '--no-package-lock', '--ignore-scripts', tarball], app);
  if (installed.status !== 0) {
    const offline = npm(['install', '--offline', '--no-package-lock', '--ignore-scripts', tarball], app);
    if (offline.status !== 0) cannotInstall = `npm could not install the tarball's dependencies from the cache or the network: ${(installed.stderr + offline.stderr).split('\n').find((l) => /ERR/.test(l)) ?? installed.stderr.slice(0, 200)}`;
  }
}, 180_000);

// Removing the installed node_modules took over vitest's 10 s default on a loaded machine.
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('npm pack', () => {
  it('ships the compiled code, its types, the schema, README and LICENSE, and nothing else', () => {
    const outside = files.filter((f) => !f.startsWith('dist/')).sort();
    expect(outside).toEqual(['LICENSE', 'README.md', 'package.json', 'reports/schema/CHANGELOG.md', 'reports/schema/rseq-check-result.schema.json']);
    const odd = files.filter((f) => f.startsWith('dist/') && !/\.(js|d\.ts|c)$/.test(f) && f !== 'dist/build-info.json');
    expect(odd).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench)\//.test(f) || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    // What the CLI reads at run time, beside the compiled modules.
    for (const f of ['dist/cli/main.js', 'dist/litmus/runtime.c', 'dist/litmus/kernel-paths.c', 'dist/run/task-worker.js', 'dist/checker/parallel/level-worker.js', 'dist/run/system-factory.js', 'dist/build-info.json'])
      expect(files, f).toContain(f);
    // Every export, and its types.
    for (const [name, target] of Object.entries(pkg.exports)) {
      for (const path of typeof target === 'string' ? [target] : [target.types, target.default]) expect(files, `${name}: ${path}`).toContain(path.replace(/^\.\//, ''));
    }
  });
});

describe('the installed package', () => {
  const app = (): string => join(dir, 'app');

  it('runs the CLI: npx rseq-check check percpu-counter', (ctx) => {
    if (cannotInstall) ctx.skip(cannotInstall);
    const r = run('npx', ['--no-install', 'rseq-check', 'check', 'percpu-counter'], app());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^HOLDS: percpu-counter under linux-6\.15: every reachable state explored, no property violated\n {2}states 1837, /);
    const version = run('npx', ['--no-install', 'rseq-check', '--version'], app());
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it("checks gallery/NAME from the library as the CLI does, and refuses what the exports do not name", (ctx) => {
    if (cannotInstall) ctx.skip(cannotInstall);
    const script = `
      import { check } from 'rseq-check';
      import { gallery } from 'rseq-check/gallery';
      import { seedScenarios } from 'rseq-check/seed';
      import { withViews } from 'rseq-check/notebook';
      const r = await check('gallery/arm64-user-irq');
      console.log(JSON.stringify({ verdict: r.verdict, property: r.property, steps: r.trace.steps.length - 1, command: r.provenance.command, views: typeof withViews, gallery: gallery.length, seed: seedScenarios.length }));
      try { await check('gallery/no-such-bug'); } catch (e) { console.log(e.errors[0].message); }
      try { await import('rseq-check/dist/index.js'); } catch (e) { console.log(e.code); }`;
    const r = run(process.execPath, ['--input-type=module', '-e', script], app());
    expect(r.stderr).toBe('');
    const [first, unknown, deep] = r.stdout.trim().split('\n');
    expect(JSON.parse(first!)).toEqual({ verdict: 'violation', property: 'G1-atomicity', steps: 7, command: 'library', views: 'function', gallery: 14, seed: 15 });
    const cli = run('npx', ['--no-install', 'rseq-check', 'check', 'gallery/no-such-bug'], app());
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(unknown);
    expect(unknown).toBe('no gallery entry "gallery/no-such-bug" (see "rseq-check gallery")');
    expect(deep).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it("runs the example notebook's code cells", (ctx) => {
    if (cannotInstall) ctx.skip(cannotInstall);
    const cells = runNotebookCells(join(ROOT, 'examples', 'seed-s1-prime.ipynb'), app());
    const out = (id: string): string => cells.find((c) => c.id === id)?.output ?? '';
    expect(out('s1-prime-03')).toMatch(/^verdict: violation\nviolated: G1-atomicity, shortest counterexample: 9 steps$/m);
    expect(out('s1-prime-11')).toMatch(/^VIOLATED: gallery-syscall-migrated-619 under linux-6\.19\+csCheckAfterSyscallSwitch=false: assertions /m);
    expect(cells.flatMap((c) => c.html).filter((h) => /<svg[\s>]/.test(h)).length).toBe(3);
  });
});
