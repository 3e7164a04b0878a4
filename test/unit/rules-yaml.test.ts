/**
 * The rules' YAML reader (src/rollback/rules-yaml.ts) replaced the `yaml`
 * package in the worker (issue 14). It must never read a document
 * differently from it: on documents `yaml` writes it gives the same value,
 * and on any text it either gives `yaml`'s value or refuses with a line.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDocument, stringify, type ToStringOptions } from 'yaml';
import { parseRulesYaml } from '../../src/rollback/rules-yaml.ts';
import { DEFAULT_RULES_YAML, parseRules, RulesError } from '../../src/rollback/rules.ts';

const reference = (text: string): { ok: true; value: unknown } | { ok: false } => {
  const doc = parseDocument(text, { uniqueKeys: true });
  return doc.errors.length > 0 ? { ok: false } : { ok: true, value: doc.toJS() };
};

const KEYS = ['rollback_if', 'rule', 'window', 'min_samples', 'dry_run', 'manual_decision_by', 'tolerance', 'a b', 'x:y', "it's", '-k', '1', 'true'];
const scalar = fc.oneof(
  fc.constantFrom('login_success_rate < 95%', 'api_error_rate > 5%', 'support_tickets_per_hour > 50', '5m', '30s', '2%', 'oncall', 'eng-lead', 'yes', 'no', 'on', '~', 'null', '', ' padded ', 'a: b', 'a #b', '#x', '- x', '[x]', '{x}', "it's", 'say "hi"', 'back\\slash', '0x1F', '0o17', '1e3', '.inf', '-.5', '+3', '007', 'é ✓', '*star', '&amp', '!bang', '|pipe', '>gt', '%pct', '@at', '`tick', '?q', '? q', ',c', ':colon', 'a:b'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => Number.isFinite(n)),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }).filter((s) => !/[\n\r\u0085\u2028\u2029]/.test(s)),
);
const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 })),
})).node;

const STYLES: ToStringOptions[] = [
  { lineWidth: 0 },
  { lineWidth: 0, indent: 4 },
  { lineWidth: 0, indentSeq: false },
  { lineWidth: 0, collectionStyle: 'flow' },
  { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
  { lineWidth: 0, defaultStringType: 'QUOTE_SINGLE' },
];

describe('the rules YAML reader', () => {
  it('reads what the yaml package writes, in each of its styles, as the yaml package reads it', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom(...STYLES), (value, style) => {
        const text = stringify(value, style);
        const ref = reference(text);
        fc.pre(ref.ok);
        const got = parseRulesYaml(text);
        expect(got, text).toEqual({ ok: true, value: ref.ok ? ref.value : undefined });
      }),
      { numRuns: 3000 },
    );
  });

  it('on any text, either reads what the yaml package reads or refuses naming a line', () => {
    const token = fc.constantFrom('rollback_if', 'rule', ':', ': ', '- ', '-', ' ', '  ', '\n', '\n  ', '\n    ', '#', ' #c', '"', "'", '\\', '[', ']', '{', '}', ',', '&a', '*a', '!t', '|', '>', '---', '...', '?', '%', 'x', '5%', '1', '.5', 'true', '~', '\t', 'login_success_rate < 95%', '"a#b"', "'a''b'", '\\"', '\\u0041', '0x1F', '0o7', '.inf', 'a b', 'a:b', '\r\n');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 24 }).map((t) => t.join('')), (text) => {
        const got = parseRulesYaml(text);
        if (!got.ok) {
          expect(got.problem).toMatch(/^line \d+: |JSON|Unexpected|Expected/);
          return;
        }
        const ref = reference(text);
        expect(ref.ok, `accepted what yaml refuses: ${JSON.stringify(text)}`).toBe(true);
        if (ref.ok) expect(got.value, JSON.stringify(text)).toEqual(ref.value);
      }),
      { numRuns: 20000 },
    );
  });

  it('reads the plan\'s rules and the refined form as before', () => {
    expect(parseRules(DEFAULT_RULES_YAML).rules.map((r) => r.id)).toEqual(['login_success_rate < 95%', 'api_error_rate > 5%', 'support_tickets_per_hour > 50']);
    const r = parseRules('# ours\n---\ndry_run: true   # for now\nevaluate_every: 10s\nrollback_if:\n- rule: "login_success_rate < 90%"\n  window: 5m\n  tolerance: \'3%\'\n- manual_decision_by: [oncall, eng-lead]\n');
    expect(r).toMatchObject({ dryRun: true, evaluateEverySeconds: 10, manualRoles: ['oncall', 'eng-lead'], rules: [{ id: 'login_success_rate < 90%', windowSeconds: 300, tolerance: 0.03 }] });
  });

  it.each([
    ['an anchor', 'rollback_if: &r\n  - api_error_rate > 5%\n', 'line 1: anchors are not supported'],
    ['an alias', 'a: &x [1]\nrollback_if: *x\n', 'line 1: anchors are not supported'],
    ['a tag', 'rollback_if: !!seq []\n', 'line 1: tags are not supported'],
    ['a block scalar', 'rollback_if:\n  - |\n    api_error_rate > 5%\n', 'line 2: block scalars'],
    ['a value on two lines', 'rollback_if:\n  - api_error_rate\n    > 5%\n', 'line 3: unexpected indentation'],
    ['two documents', 'rollback_if: []\n---\nrollback_if: []\n', 'line 2: several documents'],
    ['a tab', 'rollback_if:\n\t- api_error_rate > 5%\n', 'line 2: tabs cannot indent'],
    ['a duplicate key', 'rollback_if: []\nrollback_if: []\n', 'appears twice'],
  ])('refuses %s with the line and why', (_what, text, problem) => {
    const err = (() => {
      try {
        parseRules(text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RulesError);
    expect((err as RulesError).path).toBe('(document)');
    expect((err as RulesError).message).toContain(problem);
  });
});
