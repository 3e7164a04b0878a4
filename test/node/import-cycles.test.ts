/**
 * The module graph of src/ has no cycle of value imports (issue 8: "no import
 * cycle among src/ modules other than type-only ones"). A cycle makes module
 * initialisation order matter and usually means two modules share one job.
 * Type-only imports (`import type`, or `{ type A, type B }`) vanish at build
 * time and are allowed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');
const IMPORT = /^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)'/gm;

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return modules(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The value imports of one module's source (relative specifiers only). */
export function valueImports(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const [, typeOnly, clause, target] = m;
    if (typeOnly) continue;
    const braces = /\{([^}]*)\}/.exec(clause!);
    const outsideBraces = clause!.replace(/\{[^}]*\}/, '').replace(/[\s,]/g, '');
    if (braces && outsideBraces === '') {
      const names = braces[1]!.split(',').map((n) => n.trim()).filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(normalize(join(dirname(file), target!)));
  }
  return out;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (u: string) => {
    state.set(u, 'open');
    stack.push(u);
    for (const v of graph.get(u) ?? []) {
      if (!graph.has(v)) continue;
      if (state.get(v) === 'open') found.push([...stack.slice(stack.indexOf(v)), v]);
      else if (!state.has(v)) visit(v);
    }
    stack.pop();
    state.set(u, 'done');
  };
  for (const u of graph.keys()) if (!state.has(u)) visit(u);
  return found;
}

describe('src/ module graph', () => {
  it('the import scanner sees value imports and skips type-only ones', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import { type C, type D } from './c.ts';",
      "import { type E, f } from './e.ts';",
      "export { g } from './g.ts';",
    ].join('\n');
    expect(valueImports('/x/m.ts', src)).toEqual(['/x/a.ts', '/x/e.ts', '/x/g.ts']);
  });

  it('has no cycle of value imports', () => {
    const graph = new Map<string, string[]>();
    for (const file of modules(SRC)) graph.set(normalize(file), valueImports(file, readFileSync(file, 'utf8')));
    expect(graph.size).toBeGreaterThan(50);
    const found = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' -> '));
    expect(found).toEqual([]);
  });
});
