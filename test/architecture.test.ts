/**
 * The architecture as a test: the relative imports of every non-test source file must form no
 * cycle, and each arrow out of a folder must go where that folder's README.md allows. The rules
 * live in one place, the `May import: a, b, c` line of each source folder's README.md (folders
 * named from the project root, `nothing` for none); this test only reads and enforces them.
 * A file answers to the README of every folder that contains it: models/kernel/ files keep both
 * models/README.md (nothing outside models/ but checker/ and properties/) and
 * models/kernel/README.md (which of models/' other folders).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Folders that hold no source of the package (or only tests of it). */
const SKIP = new Set(['node_modules', 'dist', 'test', 'examples', 'review-out']);
/** The folders whose README.md must state the rules. */
const RULED = ['checker', 'properties', 'models', 'models/ir', 'models/kernel', 'models/system', 'models/library', 'run', 'reports', 'litmus', 'cli'];

/** File (root-relative, `/`-separated) to the files it imports. */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** A folder and the folders (root-relative) its files may import besides their own. */
interface FolderRule {
  readonly folder: string;
  readonly mayImport: readonly string[];
}

function sourceFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) out.push(toKey(path));
  }
  return out;
}

const toKey = (absolute: string): string => relative(ROOT, absolute).split(sep).join('/');

/** The relative imports of each file (static, dynamic and re-exports; type-only ones too). */
function importGraph(files: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = posix.join(posix.dirname(file), fileName).replace(/\.js$/, '');
      const target = [`${base}.ts`, `${base}/index.ts`].find((t) => existsSync(join(ROOT, t)));
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The `May import:` line of a folder README: folder names, or `nothing`. */
function parseMayImport(readme: string): string[] | undefined {
  const line = /^May import:(.*)$/m.exec(readme);
  if (!line) return undefined;
  const names = line[1]!.split(',').map((s) => s.trim().replace(/\/$/, '')).filter((s) => s !== '');
  return names.length === 1 && names[0] === 'nothing' ? [] : names;
}

const inside = (file: string, folder: string): boolean => file.startsWith(`${folder}/`);

/** Every import cycle, as its files (the strongly connected components with more than one file or a self-import). */
function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Every arrow that leaves a ruled folder for a folder its README does not list, as `from -> to (folder/README.md)`. */
function findBadArrows(graph: ImportGraph, rules: readonly FolderRule[]): string[] {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      for (const { folder, mayImport } of rules) {
        if (!inside(from, folder) || inside(to, folder)) continue;
        if (!mayImport.some((allowed) => inside(to, allowed))) bad.push(`${from} -> ${to} (${folder}/README.md)`);
      }
    }
  }
  return bad.sort();
}

function projectRules(): FolderRule[] {
  return RULED.map((folder) => {
    const path = join(ROOT, folder, 'README.md');
    const mayImport = existsSync(path) ? parseMayImport(readFileSync(path, 'utf8')) : undefined;
    if (!mayImport) throw new Error(`${folder}/README.md must say what the folder is for and end its rules with a line "May import: a, b" (or "May import: nothing")`);
    return { folder, mayImport };
  });
}

describe('architecture', () => {
  const graph = importGraph(sourceFiles());
  const rules = projectRules();

  it('reads the imports of the whole source tree', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('checker/parallel/explore-parallel.ts')).toContain('checker/explore.ts');
  });

  it('every folder a README allows exists', () => {
    const missing = rules.flatMap(({ folder, mayImport }) => mayImport.filter((f) => !existsSync(join(ROOT, f))).map((f) => `${folder}/README.md: ${f}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('has no import against the flow its folders README.md allow', () => {
    expect(findBadArrows(graph, rules)).toEqual([]);
  });
});

describe('the architecture checks themselves', () => {
  const fake: ImportGraph = new Map([
    ['checker/a.ts', ['checker/b.ts']],
    ['checker/b.ts', ['checker/a.ts', 'models/m.ts']],
    ['models/m.ts', ['checker/a.ts', 'models/self.ts']],
    ['models/self.ts', ['models/self.ts']],
    ['cli/main.ts', ['models/m.ts', 'checker/a.ts']],
  ]);
  const fakeRules: FolderRule[] = [
    { folder: 'checker', mayImport: [] },
    { folder: 'models', mayImport: ['checker'] },
  ];

  it('finds a cycle, and a file that imports itself', () => {
    expect(findCycles(fake)).toEqual([['checker/a.ts', 'checker/b.ts', 'models/m.ts'], ['models/self.ts']]);
    expect(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('finds an arrow against the rules, and lets the allowed ones and unruled folders pass', () => {
    expect(findBadArrows(fake, fakeRules)).toEqual(['checker/b.ts -> models/m.ts (checker/README.md)']);
  });

  it('applies the README of every enclosing folder', () => {
    const nested: ImportGraph = new Map([
      ['models/kernel/k.ts', ['models/ir/t.ts', 'models/library/l.ts', 'run/r.ts']],
    ]);
    const nestedRules: FolderRule[] = [
      { folder: 'models', mayImport: ['checker'] },
      { folder: 'models/kernel', mayImport: ['models/ir', 'checker'] },
    ];
    expect(findBadArrows(nested, nestedRules)).toEqual([
      'models/kernel/k.ts -> models/library/l.ts (models/kernel/README.md)',
      'models/kernel/k.ts -> run/r.ts (models/README.md)',
      'models/kernel/k.ts -> run/r.ts (models/kernel/README.md)',
    ]);
  });

  it('parses the May import line', () => {
    expect(parseMayImport('# x/\n\nJob.\n\nMay import: run, models/, checker\n')).toEqual(['run', 'models', 'checker']);
    expect(parseMayImport('May import: nothing')).toEqual([]);
    expect(parseMayImport('no rules here')).toBeUndefined();
  });
});
