// The gateway variables `npm start` accepts, read from docs/configuration.md
// (the one list: its tables), so `--help` and the filter on the environment
// can never disagree with the documentation. `<P>_X` stands for the X of
// every provider kind's prefix (AUTH0_X, COGNITO_X, CLERK_X, OLYMPUS_X); "A / B"
// rows name two variables; CLI-only rows are left out.
import { readFileSync } from 'node:fs';
import { PROVIDER_KINDS } from '../src/providers/kinds/registry.ts';

const PREFIXES = Object.values(PROVIDER_KINDS).map((k) => k.envPrefix);

export interface DocumentedVar {
  name: string;
  /** Section of docs/configuration.md, e.g. "Gateway". */
  section: string;
  kind: string;
  required: string;
  default: string;
  /** First sentence of the "Meaning" column, markdown stripped. */
  summary: string;
}

const DOC = new URL('../docs/configuration.md', import.meta.url);
/** Sections whose tables list gateway variables (not bindings, not the CLI's). */
const SECTIONS = new Set(['Providers', 'Gateway', 'Rollback controller', 'Password migration hook (Kratos)', 'Bringing Olympus signups back to Auth0 (reconcile)']);

const plain = (cell: string) => cell.replaceAll('`', '').replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replaceAll('**', '').trim();

function firstSentence(text: string): string {
  const m = /^(.+?\.)(\s+[A-Z(]|$)/.exec(text);
  return (m ? m[1]! : text).trim();
}

export function parseDocumentedVars(markdown: string): DocumentedVar[] {
  const out: DocumentedVar[] = [];
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) section = heading[1]!.trim();
    if (!SECTIONS.has(section) || !line.startsWith('| `')) continue;
    const [names, kind, required, dflt, ...meaning] = line.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((c) => c.trim());
    if (kind === undefined || kind.includes('CLI')) continue;
    for (const raw of names!.split(' / ')) {
      const name = plain(raw);
      const expanded = name.startsWith('<P>_') ? PREFIXES.map((p) => name.replace('<P>', p)) : [name];
      for (const n of expanded) {
        if (out.some((v) => v.name === n)) continue;
        out.push({ name: n, section, kind: plain(kind), required: plain(required ?? ''), default: plain(dflt ?? ''), summary: firstSentence(plain(meaning.join('|'))) });
      }
    }
  }
  return out;
}

let cached: DocumentedVar[] | undefined;
export function documentedVars(): DocumentedVar[] {
  cached ??= parseDocumentedVars(readFileSync(DOC, 'utf8'));
  return cached;
}
