/**
 * A litmus run's report: the table (case, model allows, kernel showed, kernel paths, allowed but
 * never shown, verdict), the details of each case and the summary line, or with --json one JSON
 * document (resultsToJson); and the run's exit code.
 */
import type { Limit } from '../checker/result.js';
import { buildProvenance } from '../run/provenance.js';
import type { CaseResult, KernelSummary, LitmusStop, Stress } from './case-result.js';
import { compareOutcomes } from './outcomes.js';
import { SIGNAL_PHASES } from './paths.js';

/** A table whose cells may span several lines; columns are padded to their widest line. */
export function renderTable(header: readonly string[], rows: readonly (readonly (readonly string[])[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.flatMap((r) => (r[c] ?? []).map((l) => l.length))));
  const line = (cells: readonly string[]): string => cells.map((s, c) => s.padEnd(widths[c]!)).join(' | ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  const out = [line(header), sep];
  for (const r of rows) {
    const h = Math.max(1, ...r.map((c) => c.length));
    for (let i = 0; i < h; i++) out.push(line(r.map((c) => c[i] ?? '')));
    out.push(sep);
  }
  return out.join('\n');
}

export function formatResultsTable(results: readonly CaseResult[]): string {
  const rows = results.map((r) => {
    const allowed = r.allowed;
    const shown = [...r.observed.entries()].sort((a, b) => compareOutcomes(a[0], b[0]));
    const observed = shown.map(([o, n]) => `${o} ×${n}${r.notAllowed.includes(o) ? '  <-- NOT ALLOWED' : ''}`);
    const paths = shown.map(([o]) => (r.paths.find((x) => x.outcome === o)?.byPath ?? []).map((b) => `${b.label} ×${b.runs}`).join('; '));
    const never = r.unseen.length > 0 && r.stress ? [...r.unseen.map((o) => `${o} ×0`), `(${formatStress(r.stress)})`] : ['—'];
    const verdict =
      r.verdict === 'ok'
        ? [`ok${r.unseen.length > 0 ? ` (${r.unseen.length} allowed, unseen)` : ''}`]
        : r.verdict === 'MODEL TOO STRONG'
          ? ['MODEL TOO STRONG', ...(r.knownFinding && r.notAllowed.every((o) => r.knownFinding!.outcomes.includes(o)) ? ['(documented finding)'] : [])]
          : [r.verdict];
    return [[r.id], allowed.length > 0 ? allowed : ['—'], observed.length > 0 ? [...observed, `(${r.runs} runs)`] : ['—'], paths.length > 0 ? paths : ['—'], never, verdict];
  });
  return renderTable(['case', 'model allows', 'kernel showed (runs)', 'kernel paths (runs)', 'allowed, never shown', 'verdict'], rows);
}

const kernelJson = (k: KernelSummary): object => ({ release: k.release, arch: k.arch, preset: k.preset, knobs: k.knobs });

/**
 * The results as JSON: one object per case, outcomes with counts, paths, phases, never-shown
 * outcomes with the stress. `kernel` is the one every case ran on; null for a queued run whose
 * cases ran on several kernels (or none ran), where each case's `ranOn` names its own.
 */
export function resultsToJson(results: readonly CaseResult[], kernel: KernelSummary | null, stop?: LitmusStop): object {
  return {
    kind: 'litmus',
    kernel: kernel ? kernelJson(kernel) : null,
    ...(stop ? { verdict: 'incomplete', stoppedBy: stop.stoppedBy, notRun: stop.notRun } : {}),
    cases: results.map((r) => ({
      id: r.id,
      title: r.title,
      verdict: r.verdict,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.policy ? { policy: r.policy } : {}),
      modelAllows: r.allowed,
      allowedFrom: r.allowedFrom,
      modelComplete: r.model?.complete ?? null,
      runs: r.runs,
      observed: Object.fromEntries([...r.observed.entries()].sort((a, b) => compareOutcomes(a[0], b[0]))),
      notAllowed: r.notAllowed,
      neverShown: r.unseen.map((outcome) => ({ outcome, runs: r.runs, stress: r.stress ?? null })),
      paths: r.paths,
      pathSource: r.pathSource,
      actions: r.actions,
      signalPhases: r.signalPhases,
      signals: { sent: r.signalsSent, delivered: r.signalsDelivered },
      migrations: r.migrationsDone,
      kernelAborts: r.kernelAborts,
      userAborts: r.userAborts,
      tracepointAgrees: r.trace.available ? r.trace.agree : null,
      seconds: r.seconds,
      ...(r.knownFinding ? { knownFinding: r.knownFinding } : {}),
      ...(r.ranOn ? { ranOn: { host: r.ranOn.host, kernel: kernelJson(r.ranOn.kernel), compiler: r.ranOn.compiler } } : {}),
    })),
    provenance: buildProvenance(kernel ? { kernel: kernel.release } : {}),
  };
}

function formatDetails(r: CaseResult): string[] {
  const out: string[] = [];
  out.push(`${r.id}: ${r.title}`);
  if (r.ranOn) out.push(`  ran on: ${r.ranOn.host}, kernel ${r.ranOn.kernel.release} (${r.ranOn.kernel.preset !== null ? `preset ${r.ranOn.kernel.preset}` : 'no preset matches'})`);
  if (r.verdict === 'cannot run') {
    out.push(`  cannot run: ${r.reason}`);
    return out;
  }
  for (const o of r.notAllowed) out.push(`  !!! MODEL TOO STRONG: observed outcome "${o}" (${r.observed.get(o)} of ${r.runs} runs) is not allowed by the model under ${r.policy}`);
  if (r.knownFinding) out.push(`  documented finding (${r.notAllowed.some((o) => r.knownFinding!.outcomes.includes(o)) ? 'reproduced in this run' : 'not reproduced in this run'}): ${r.knownFinding.why}`);
  if (r.reason) out.push(`  note: ${r.reason}`);
  const m = r.model;
  if (m) out.push(`  model: ${m.outcomes.length} outcome(s) under ${r.policy}; ${m.states} states in ${m.seconds.toFixed(2)} s${m.complete ? '' : ` (INCOMPLETE: ${m.stoppedBy})`}`);
  else out.push(`  allowed: ${r.allowed.length} outcome(s) from ${r.allowedFrom}`);
  if (r.unseen.length > 0) out.push(`  allowed, unseen: ${r.unseen.map((o) => `${o} ×0`).join('; ')}`);
  out.push(`  runs ${r.runs}: kernel aborts ${r.kernelAborts} (counted at abort_ip), user aborts ${r.userAborts} (branches from the c.s. to its abort label), signals sent ${r.signalsSent}, delivered to the handler ${r.signalsDelivered}, migrations ${r.migrationsDone}`);
  if (r.stress && r.unseen.length > 0) out.push(`  stress the unseen outcomes had: ${formatStress(r.stress)}`);
  const phases = SIGNAL_PHASES.filter((ph) => (r.signalPhases[ph] ?? 0) > 0).map((ph) => `${ph} ×${r.signalPhases[ph]}`);
  if (phases.length > 0) out.push(`  signals landed: ${phases.join(', ')}`);
  const perPath = (kind: 'abort' | 'kill'): string =>
    Object.entries(r.actions[kind])
      .map(([path, n]) => `${path} ×${n}`)
      .join(', ');
  if (Object.keys(r.actions.abort).length + Object.keys(r.actions.kill).length > 0) out.push(`  kernel actions: aborts ${perPath('abort') || '0'}; kills ${perPath('kill') || '0'}`);
  out.push(`  paths from: ${r.pathSource}`);
  if (!r.trace.available) out.push(`  tracepoint rseq:rseq_ip_fixup unavailable: ${r.trace.reason}`);
  else if (r.trace.sites.length === 0) out.push('  tracepoint: the model has no critical section (nothing to hold against)');
  else {
    for (const s of r.trace.sites) {
      const offs = s.offsets.map((o) => `+0x${o.offset.toString(16)} [${o.instruction}] ${o.text} ×${o.count}`).join(', ');
      out.push(`  tracepoint ${s.site}: ${s.fixups} fixup(s)${offs ? ` at ip - start_ip = ${offs}` : ''}; the program counted ${s.counted} at abort_ip${s.fixups === s.counted ? ': agree' : ': DISAGREE'}`);
    }
    if (r.trace.lost > 0) out.push(`  tracepoint: ${r.trace.lost} event(s) lost (ring buffer overrun)`);
  }
  out.push(`  time: compile ${r.seconds.compile.toFixed(2)} s, run ${r.seconds.run.toFixed(2)} s, model ${r.seconds.model.toFixed(2)} s`);
  return out;
}

/**
 * The exit code of a set of results: 1 on a finding; else 3 when stopped or when a limit cut a
 * case's model short (inconclusive: the outcomes it allows are not all known); else 2 if a case
 * could not run here.
 */
function exitCodeOf(results: readonly CaseResult[], stop: LitmusStop | undefined): number {
  if (results.some((r) => r.verdict === 'MODEL TOO STRONG')) return 1;
  if (stop || results.some((r) => r.verdict === 'inconclusive')) return 3;
  if (results.some((r) => r.verdict === 'cannot run')) return 2;
  return 0;
}

export function formatKernelLine(k: KernelSummary, policy: string | undefined): string {
  const which = policy ? `preset ${policy} (given with --policy)` : k.preset ? `preset ${k.preset}${k.knobs.length > 0 ? ` + ${k.knobs.join(' ')}` : ''}` : 'no preset matches';
  return `kernel ${k.release} (${k.arch}): ${which}; ${k.note}`;
}

/** Prints the results (the table, the details and the summary, or the JSON document) and returns the exit code. */
export function report(results: readonly CaseResult[], kernel: KernelSummary | null, stop: LitmusStop | undefined, json: boolean, t0: number, print: (s: string) => void): number {
  const code = exitCodeOf(results, stop);
  if (json) {
    print(JSON.stringify(resultsToJson(results, kernel, stop), null, 2));
    return code;
  }
  print('');
  print(formatResultsTable(results));
  print('');
  for (const r of results) for (const l of formatDetails(r)) print(l);
  print('');
  const findings = results.filter((r) => r.verdict === 'MODEL TOO STRONG').length;
  print(
    `${results.length} case(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${findings > 0 ? `${findings} FINDING(S): the model is too strong` : 'the model is not too strong on any case'}` +
      (results.some((r) => r.verdict === 'cannot run' || r.verdict === 'inconclusive') ? `; ${results.filter((r) => r.verdict === 'cannot run' || r.verdict === 'inconclusive').length} could not conclude` : ''),
  );
  if (stop) print(`INCOMPLETE: stopped by ${stopWords(stop.stoppedBy)}; not run: ${stop.notRun.join(', ')}`);
  return code;
}

function formatStress(s: Stress): string {
  const parts = [`${s.runs} runs`];
  if (s.signalsPerRun > 0) parts.push(`${s.signalsPerRun} signal(s)/run`);
  if (s.migrationsPerRun > 0) parts.push(`${s.migrationsPerRun} migration(s)/run`);
  parts.push(s.competitors ? 'competitors' : 'no competitor');
  if (s.delays > 0) parts.push(`${s.delays} delay(s) ${s.delayUs} µs`);
  parts.push(`window ${s.windowUs} µs`);
  return parts.join(', ');
}

function stopWords(l: Limit): string {
  if (l.kind === 'interrupted') return l.signal ?? 'an interrupt';
  return l.kind === 'time' ? `--max-seconds ${l.bound}` : `the ${l.kind} limit (${l.bound})`;
}
