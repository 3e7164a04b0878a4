/**
 * The YAML rollback rules are written in, and no more (issue 14: the `yaml`
 * package was about a fifth of the worker's upload, for a document of a
 * dozen lines). Supported, with YAML 1.2's core schema (true/false, null,
 * numbers; everything else a string):
 *
 *   - block mappings and sequences, indented with spaces, a sequence at its
 *     key's indentation or deeper, a mapping in a sequence item
 *     (`- rule: ...` with its keys on the lines below);
 *   - flow sequences and mappings on one line (`[oncall, eng-lead]`);
 *   - plain, 'single-quoted' and "double-quoted" scalars, comments, one
 *     leading `---`; JSON (it is YAML) through JSON.parse.
 *
 * Everything else is refused with its line, never read differently from a
 * full YAML parser: anchors and aliases, tags, block scalars (`|`, `>`),
 * values continued on a second line, several documents, `?` keys, tabs in
 * indentation (test/unit/rules-yaml.test.ts compares it with the `yaml`
 * package on generated documents).
 */

export type YamlResult = { ok: true; value: unknown } | { ok: false; problem: string };

interface Line {
  no: number;
  indent: number;
  text: string;
}

class Refusal {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {}
}

const refuse = (line: number, problem: string): never => {
  throw new Refusal(line, problem);
};

const UNSUPPORTED: Record<string, string> = {
  '&': 'anchors are not supported',
  '*': 'aliases are not supported',
  '!': 'tags are not supported',
  '|': 'block scalars are not supported; write the value on one line',
  '>': 'block scalars are not supported; write the value on one line',
  '%': 'directives are not supported',
  '@': '"@" cannot start a plain value; quote it',
  '`': '"`" cannot start a plain value; quote it',
  '?': 'complex keys are not supported',
  '#': '"#" cannot start a plain value; quote it',
  ',': '"," cannot start a plain value; quote it',
  ']': '"]" cannot start a plain value; quote it',
  '}': '"}" cannot start a plain value; quote it',
};

function plainValue(s: string, no: number): unknown {
  if (UNSUPPORTED[s[0]!] && !(s[0] === '?' && s.length > 1 && !/\s/.test(s[1]!))) refuse(no, UNSUPPORTED[s[0]!]!);
  if (s === '-' || s.startsWith('- ')) refuse(no, 'a list item is not allowed here (put it on its own line)');
  if (/: |:$/.test(s)) refuse(no, 'a mapping value is not allowed here (quote the value if it holds ": ")');
  if (/^(?:~|null|Null|NULL)$/.test(s)) return null;
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}

const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A quoted scalar starting at `text[at]`; returns it and the index after its closing quote. */
function quoted(text: string, at: number, no: number): [string, number] {
  const q = text[at]!;
  let out = '';
  for (let i = at + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (q === "'") {
      if (ch !== "'") out += ch;
      else if (text[i + 1] === "'") (out += "'"), i++;
      else return [out, i + 1];
    } else if (ch === '"') return [out, i + 1];
    else if (ch !== '\\') out += ch;
    else {
      const e = text[++i] ?? '';
      const digits = HEX_DIGITS[e];
      if (digits !== undefined) {
        const hex = text.slice(i + 1, i + 1 + digits);
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) refuse(no, `bad escape "\\${e}${hex}"`);
        out += String.fromCodePoint(parseInt(hex, 16));
        i += digits;
      } else if (ESCAPES[e] !== undefined) out += ESCAPES[e];
      else refuse(no, `unknown escape "\\${e}"`);
    }
  }
  return refuse(no, 'a quoted value must end on its line');
}

/** A flow collection (or a value inside one) on one line. */
function flow(text: string, start: number, no: number): [unknown, number] {
  let i = start;
  const ws = () => {
    while (text[i] === ' ') i++;
  };
  const value = (inList: boolean): unknown => {
    ws();
    const ch = text[i];
    if (ch === '[') {
      i++;
      const items: unknown[] = [];
      for (;;) {
        ws();
        if (text[i] === ']') return i++, items;
        items.push(value(true));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') refuse(no, 'expected "," or "]" (a flow list must end on its line)');
      }
    }
    if (ch === '{') {
      i++;
      const entries: [string, unknown][] = [];
      for (;;) {
        ws();
        if (text[i] === '}') return i++, entriesToObject(entries, no);
        const key = value(false);
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean' && key !== null) refuse(no, 'a key must be a scalar');
        ws();
        if (text[i] !== ':') refuse(no, 'expected ":" after a key in a flow mapping');
        i++;
        ws();
        entries.push([key === null ? '' : String(key), text[i] === ',' || text[i] === '}' ? null : value(false)]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') refuse(no, 'expected "," or "}" (a flow mapping must end on its line)');
      }
    }
    if (ch === '"' || ch === "'") {
      const [s, end] = quoted(text, i, no);
      i = end;
      return s;
    }
    let end = i;
    while (end < text.length && !',[]{}'.includes(text[end]!) && !(text[end] === ':' && (text[end + 1] === ' ' || ',[]{}'.includes(text[end + 1] ?? ',')))) end++;
    const s = text.slice(i, end).trim();
    if (s === '') refuse(no, 'a value is missing in a flow collection');
    if (text[end] === ':' && inList) refuse(no, 'a mapping inside a flow list is not supported; use {key: value}');
    i = end;
    return plainValue(s, no);
  };
  const v = value(false);
  return [v, i];
}

function entriesToObject(entries: [string, unknown][], no: number): Record<string, unknown> {
  const seen = new Set<string>();
  for (const [k] of entries) {
    if (seen.has(k)) refuse(no, `key "${k}" appears twice`);
    seen.add(k);
  }
  // Object.fromEntries defines own properties: a "__proto__" key is data, as with JSON.parse.
  return Object.fromEntries(entries);
}

/** A value written after `key:` or `- `, to the end of its line. */
function inlineValue(text: string, no: number): unknown {
  const ch = text[0]!;
  if (ch === '[' || ch === '{' || ch === '"' || ch === "'") {
    const [v, end] = ch === '"' || ch === "'" ? quoted(text, 0, no) : flow(text, 0, no);
    if (text.slice(end).trim() !== '') refuse(no, `unexpected text after the value: ${JSON.stringify(text.slice(end).trim())}`);
    return v;
  }
  return plainValue(text, no);
}

/** `key: value` or `key:` (the value below); undefined when the line is not a mapping entry. */
function keyOf(text: string, no: number): { key: string; rest: string } | undefined {
  if (text[0] === '"' || text[0] === "'") {
    const [key, end] = quoted(text, 0, no);
    const after = text.slice(end).trimStart();
    if (after === ':' || after.startsWith(': ')) return { key, rest: after.slice(1).trim() };
    return undefined;
  }
  if (text[0] === '[' || text[0] === '{') return undefined;
  const m = /^([^]*?):(?: |$)/.exec(text);
  if (!m) return undefined;
  const key = m[1]!.trimEnd();
  const k = plainValue(key, no);
  return { key: k === null ? '' : String(k), rest: text.slice(m[0].length).trim() };
}

const isItem = (text: string) => text === '-' || text.startsWith('- ');

/** Splits into lines without blanks and comments; refuses what this subset does not read. */
function lines(source: string): Line[] {
  const out: Line[] = [];
  const raw = source.replace(/^\ufeff/, '').split(/\r?\n/);
  let started = false;
  for (let n = 0; n < raw.length; n++) {
    const full = raw[n]!;
    const no = n + 1;
    const indent = /^ */.exec(full)![0].length;
    if (full[indent] === '\t' && full.trim() !== '') refuse(no, 'tabs cannot indent YAML; use spaces');
    if (full.includes('\t')) refuse(no, 'tabs are not read here; use spaces (or "\\t" in double quotes)');
    const text = stripComment(full.slice(indent), no).trimEnd();
    if (text === '') continue;
    if (indent === 0 && (text === '---' || text === '...')) {
      if (text === '---' && !started) {
        started = true;
        continue;
      }
      refuse(no, text === '---' ? 'several documents are not supported' : 'a document end marker is not supported');
    }
    if (indent === 0 && text.startsWith('--- ')) refuse(no, 'write the document on the lines after "---"');
    if (indent === 0 && text.startsWith('... ')) refuse(no, 'a document end marker is not supported');
    started = true;
    out.push({ no, indent, text });
  }
  return out;
}

function stripComment(text: string, no: number): string {
  let quote: string | undefined;
  let depth = 0; // inside [ ] or { }: there a value may also start after "[", "{" or ","
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
    } else if (ch === '#' && (i === 0 || text[i - 1] === ' ')) return text.slice(0, i);
    else if ((ch === '"' || ch === "'") && startsValue(text, i, depth > 0)) quote = ch;
    else if (depth > 0 || startsValue(text, i, false)) {
      if (ch === '[' || ch === '{') depth++;
      else if ((ch === ']' || ch === '}') && depth > 0) depth--;
    }
  }
  if (quote) refuse(no, 'a quoted value must end on its line');
  return text;
}

/** Whether a value can begin at `text[i]`: the line's start, after "- " or ": ", or in a flow collection after "[", "{" or ",". */
function startsValue(text: string, i: number, inFlow: boolean): boolean {
  let j = i - 1;
  while (j >= 0 && text[j] === ' ') j--;
  if (j < 0) return true;
  const p = text[j]!;
  if (inFlow && (p === '[' || p === '{' || p === ',' || (p === ':' && j < i - 1))) return true;
  return j < i - 1 && (p === ':' || (p === '-' && /^(?:- +)*-$/.test(text.slice(0, j + 1))));
}

class Reader {
  #i = 0;
  constructor(private readonly ls: Line[]) {}

  document(): unknown {
    if (this.ls.length === 0) return null;
    const first = this.ls[0]!;
    const v = this.#node(first.indent);
    const extra = this.ls[this.#i];
    if (extra) refuse(extra.no, extra.indent > first.indent ? 'unexpected indentation' : 'unexpected content at the top level');
    return v;
  }

  #node(indent: number): unknown {
    const line = this.ls[this.#i]!;
    if (isItem(line.text)) return this.#sequence(indent);
    if (keyOf(line.text, line.no)) return this.#mapping(indent);
    this.#i++;
    const v = inlineValue(line.text, line.no);
    this.#noContinuation(indent, line.no);
    return v;
  }

  /** A value ends on its line: a deeper line after it would continue it, which this subset does not read. */
  #noContinuation(indent: number, no: number): void {
    const next = this.ls[this.#i];
    if (next && next.indent > indent) refuse(next.no, `the value on line ${no} continues here: multi-line values are not supported (or the indentation is wrong)`);
  }

  #sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.ls[this.#i]; line && line.indent === indent && isItem(line.text); line = this.ls[this.#i]) {
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.#i++;
        const next = this.ls[this.#i];
        items.push(next && next.indent > indent ? this.#node(next.indent) : null);
      } else {
        // The item's content is a node of its own, indented where it starts (`- rule: x` then `  window: 5m`).
        const col = indent + line.text.length - rest.length;
        this.ls[this.#i] = { no: line.no, indent: col, text: rest };
        items.push(this.#node(col));
      }
      const next = this.ls[this.#i];
      if (next && next.indent > indent) refuse(next.no, 'unexpected indentation (a value cannot continue on the next line)');
    }
    return items;
  }

  #mapping(indent: number): Record<string, unknown> {
    const entries: [string, unknown][] = [];
    for (let line = this.ls[this.#i]; line && line.indent === indent; line = this.ls[this.#i]) {
      if (isItem(line.text)) refuse(line.no, 'a list item where a "key: value" was expected');
      const kv = keyOf(line.text, line.no) ?? refuse(line.no, 'expected "key: value"');
      this.#i++;
      if (kv.rest === '') {
        const next = this.ls[this.#i];
        const below = next && (next.indent > indent || (next.indent === indent && isItem(next.text)));
        entries.push([kv.key, below ? this.#node(next.indent) : null]);
      } else {
        entries.push([kv.key, inlineValue(kv.rest, line.no)]);
        this.#noContinuation(indent, line.no);
      }
      const next = this.ls[this.#i];
      if (next && next.indent > indent) refuse(next.no, 'unexpected indentation (a value cannot continue on the next line)');
    }
    return entriesToObject(entries, line0(this.ls, this.#i));
  }
}

const line0 = (ls: Line[], i: number) => ls[Math.max(0, i - 1)]?.no ?? 1;

export function parseRulesYaml(text: string): YamlResult {
  const head = text.trimStart()[0];
  if (head === '{' || head === '[') {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (err) {
      // Not JSON: a one-line YAML flow collection, or a mistake the YAML reading below names.
      if (text.trim().includes('\n')) return { ok: false, problem: err instanceof Error ? err.message : String(err) };
    }
  }
  try {
    return { ok: true, value: new Reader(lines(text)).document() };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, problem: `line ${err.line}: ${err.problem}` };
    throw err;
  }
}
