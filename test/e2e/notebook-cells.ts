/**
 * Runs a notebook's code cells the way tslab would, without Jupyter: the TypeScript cells, in
 * order, as one ES module (so later cells see earlier cells' variables), compiled with
 * TypeScript's transpiler and run by `node` in a directory whose node_modules holds the
 * `rseq-check` to test. `tslab` is a stub there whose `display.html` records what the cell
 * displays. Used by the package test (the installed tarball) and the notebook-prose test (the
 * checkout's build).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** What one code cell printed (console.log) and displayed (tslab.display.html). */
export interface CellRun {
  readonly id: string;
  readonly output: string;
  readonly html: readonly string[];
}

const CELL = '\u001ecell ';
const HTML = '\u001fhtml ';

interface NotebookJson {
  readonly cells: readonly { readonly cell_type: string; readonly id?: string; readonly source: string | readonly string[] }[];
}

function source(s: string | readonly string[]): string {
  return typeof s === 'string' ? s : s.join('');
}

/** The notebook's Markdown cells, joined (its prose). */
export function notebookProse(notebook: string): string {
  const nb = JSON.parse(readFileSync(notebook, 'utf8')) as NotebookJson;
  return nb.cells
    .filter((c) => c.cell_type === 'markdown')
    .map((c) => source(c.source))
    .join('\n\n');
}

/**
 * Runs the code cells of `notebook` in `dir` (which must hold node_modules/rseq-check); returns
 * each cell's output. Throws with the process's stderr if a cell fails.
 */
export function runNotebookCells(notebook: string, dir: string, timeoutMs = 120_000): CellRun[] {
  const nb = JSON.parse(readFileSync(notebook, 'utf8')) as NotebookJson;
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c, i) => ({ id: c.id ?? `code-${i}`, text: source(c.source) }));
  // Imports stay where they are: ES modules hoist them, as tslab's cells share one scope.
  const module = code.map((c) => `console.log(${JSON.stringify(CELL + c.id)});\n${c.text}\n`).join('\n');
  const js = ts.transpileModule(module, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const stub = join(dir, 'node_modules', 'tslab');
  mkdirSync(stub, { recursive: true });
  writeFileSync(join(stub, 'package.json'), JSON.stringify({ name: 'tslab', version: '0.0.0-stub', type: 'module', main: 'index.js' }));
  writeFileSync(join(stub, 'index.js'), `export const display = { html: (s) => console.log(${JSON.stringify(HTML)} + JSON.stringify(String(s))) };\n`);
  const script = join(dir, 'notebook-cells.mjs');
  writeFileSync(script, js);
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`the notebook's cells failed: ${err.stderr ?? err.message}`, { cause: e });
  }
  const runs: { id: string; output: string[]; html: string[] }[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(CELL)) runs.push({ id: line.slice(CELL.length), output: [], html: [] });
    else if (line.startsWith(HTML)) runs.at(-1)?.html.push(JSON.parse(line.slice(HTML.length)) as string);
    else runs.at(-1)?.output.push(line);
  }
  return runs.map((r) => ({ id: r.id, output: r.output.join('\n').trimEnd(), html: r.html }));
}
