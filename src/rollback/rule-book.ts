/**
 * The rules in force: replaced through the admin API (`meta.rules_text`),
 * else ROLLBACK_RULES, else the plan's defaults. Parsed text is cached by
 * value, so a read on every evaluation costs one meta lookup. While automatic
 * rollback is paused they read as a dry run.
 */
import type { GatewayConfig } from '../config.ts';
import type { ControllerStore } from './controller-store.ts';
import { parseRules, type RulesConfig } from './rules.ts';

export type RulesSourceName = 'admin-api' | 'ROLLBACK_RULES' | 'default';

export class RuleBook {
  #cache: { text: string; rules: RulesConfig } | undefined;

  #paused: { base: RulesConfig; rules: RulesConfig } | undefined;

  constructor(
    private readonly store: ControllerStore,
    private readonly config: () => GatewayConfig,
    /** True while automatic rollback is paused (auto-rollback-pause.ts): the rules then act as a dry run. */
    private readonly paused: () => boolean = () => false,
  ) {}

  /** The rules in force, as the rule loop applies them (a dry run while automatic rollback is paused). */
  rules(): RulesConfig {
    const base = this.written();
    if (base.dryRun || !this.paused()) return base;
    if (this.#paused?.base !== base) this.#paused = { base, rules: { ...base, dryRun: true } };
    return this.#paused.rules;
  }

  /** The rules as written (ROLLBACK_RULES, the admin API or the defaults), whatever a pause says. */
  written(): RulesConfig {
    const text = this.store.get('rules_text');
    if (text === undefined) return this.config().rules;
    if (this.#cache?.text !== text) this.#cache = { text, rules: parseRules(text) };
    return this.#cache.rules;
  }

  source(): { source: RulesSourceName; text: string } {
    const text = this.store.get('rules_text');
    if (text !== undefined) return { source: 'admin-api', text };
    const cfg = this.config();
    return cfg.rulesText === undefined ? { source: 'default', text: cfg.rulesDefaultText } : { source: 'ROLLBACK_RULES', text: cfg.rulesText };
  }

  /** Validates and stores new rules (streaks and the detector's charts start over); throws RulesError with the entry at fault. */
  replace(text: string, actor: string): RulesConfig {
    const rules = parseRules(text);
    const before = this.source();
    this.store.set('rules_text', text);
    this.store.set('streaks', {});
    this.store.set('detectors', {});
    this.store.appendAudit('rules.changed', actor, { before: before.text, after: text, dry_run: rules.dryRun });
    return rules;
  }
}
