import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProvenance, maskCredentials, SCHEMA_VERSION } from '../../run/provenance.js';
import { resolvePolicy } from '../../run/check.js';
import { renderProvenanceFooter } from '../../reports/provenance-html.js';
import { parseOutputJson } from '../../reports/json.js';
import { resultsToJson } from '../../litmus/report.js';
import { detectKernel } from '../../litmus/kernel.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('buildProvenance', () => {
  it('states the tool, Node, the platform, "library" outside the CLI, and the policy with every knob', () => {
    const policy = resolvePolicy('linux-6.19', ['archSetsUserIrq=false']);
    const p = buildProvenance({ policy });
    expect(p.schemaVersion).toBe(SCHEMA_VERSION);
    expect(p.tool.name).toBe('rseq-check');
    expect(p.tool.version).toBe(pkg.version);
    expect(p.tool.commit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    expect(p.command).toBe('library');
    expect(p.node).toBe(process.version);
    expect(p.platform).toBe(`${process.platform}-${process.arch}`);
    expect(Number.isNaN(Date.parse(p.date))).toBe(false);
    expect(p.policy?.name).toBe('linux-6.19+archSetsUserIrq=false');
    expect(p.policy?.knobs['archSetsUserIrq']).toBe(false);
    expect(Object.keys(p.policy?.knobs ?? {})).not.toContain('name');
    expect(p.kernel).toBeUndefined();
  });

  it("litmus --json states the running kernel's release, as uname -r prints it", () => {
    const doc = resultsToJson([], detectKernel()) as { provenance: { kernel: string; policy?: unknown } };
    expect(doc.provenance.kernel).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    expect(doc.provenance.policy).toBeUndefined();
  });
});

describe('maskCredentials', () => {
  it('masks the values of credential-like options and URL passwords, and nothing else', () => {
    expect(maskCredentials(['check', 'percpu-counter', '--policy', 'linux-6.19'])).toEqual(['check', 'percpu-counter', '--policy', 'linux-6.19']);
    expect(maskCredentials(['--token', 'abc', '--api-key=xyz', '--out', 'dir'])).toEqual(['--token', '***', '--api-key=***', '--out', 'dir']);
    expect(maskCredentials(['https://user:hunter2@example.org/model.json'])).toEqual(['https://user:***@example.org/model.json']);
    // A Redis URL with a password and no user (review --queue): the password never reaches a document.
    expect(maskCredentials(['review', '--queue', 'redis://:s3cret@10.0.0.5:6379'])).toEqual(['review', '--queue', 'redis://:***@10.0.0.5:6379']);
    expect(maskCredentials(['--queue=rediss://default:s3cret@host:6380/0'])).toEqual(['--queue=rediss://default:***@host:6380/0']);
  });
});

describe('provenance in the outputs', () => {
  it('every CLI JSON document carries it, with the command line, and validates', () => {
    for (const args of [['check', 'gallery/arm64-user-irq', '--json'], ['gallery', '--json'], ['policies', '--json'], ['models', '--json']]) {
      let out: string;
      try {
        out = execFileSync('node', [CLI, ...args], { encoding: 'utf8' });
      } catch (e) {
        out = (e as { stdout: string }).stdout; // exit 1: violated
      }
      const doc = parseOutputJson(out) as { provenance?: { command: unknown; policy?: { name: string } } };
      expect(doc.provenance?.command, args.join(' ')).toEqual(args);
      expect(doc.provenance?.policy?.name, args.join(' ')).toBe(args[1] === 'gallery/arm64-user-irq' ? 'linux-6.19+archSetsUserIrq=false' : undefined);
    }
  });

  it('check --report: report.html states the provenance result.json carries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rseq-provenance-'));
    try {
      const r = spawnSync('node', [CLI, 'check', 'gallery/arm64-user-irq', '--report', dir], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      const saved = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { provenance: { date: string; command: string[] } };
      expect(saved.provenance.command).toEqual(['check', 'gallery/arm64-user-irq', '--report', dir]);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain(`on ${saved.provenance.date} from <code>rseq-check check gallery/arm64-user-irq --report ${dir}</code>.`);
      expect(html).toContain('<tr><th scope="row">policy</th><td><code>linux-6.19+archSetsUserIrq=false</code></td></tr>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the HTML footer states it', () => {
    const html = renderProvenanceFooter({
      schemaVersion: 2,
      tool: { name: 'rseq-check', version: '9.9.9', commit: '0123456789abcdef0123456789abcdef01234567' },
      date: '2026-01-02T03:04:05.000Z',
      command: ['check', 'a<b'],
      policy: { name: 'linux-6.19', knobs: { syscallSet: ['fork', 'clone_vm'], archSetsUserIrq: true } },
      node: 'v20.19.0',
      platform: 'linux-x64',
      kernel: '6.8.0-1',
    });
    expect(html).toContain('Generated by rseq-check 9.9.9 (commit <code>0123456789ab</code>) on 2026-01-02T03:04:05.000Z from <code>rseq-check check a&lt;b</code>.');
    expect(html).toContain('<tr><th scope="row">knobs</th><td><code>syscallSet=fork,clone_vm archSetsUserIrq=true</code></td></tr>');
    expect(html).toContain('<tr><th scope="row">kernel</th><td>6.8.0-1</td></tr>');
  });
});
