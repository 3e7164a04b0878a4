// Minimal type declarations for the parts of oidc-provider@9 (which ships no
// types) that the local IdP stand-ins use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface InteractionDetails {
    uid: string;
    returnTo: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown> & { client_id: string; scope?: string; prompt?: string };
    session?: { accountId: string; uid: string; cookie: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface ClientInstance {
    clientId: string;
    clientName?: string;
  }

  export type InteractionResult = Record<string, unknown>;

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export type Configuration = Record<string, unknown>;

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    urlFor(name: string, opts?: Record<string, unknown>): string;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: any[]) => void): this;
    Grant: {
      new (init: { accountId: string; clientId: string }): GrantInstance;
      find(id: string): Promise<GrantInstance | undefined>;
    };
    Client: { find(id: string): Promise<ClientInstance | undefined> };
  }

  export class Check {
    constructor(reason: string, description: string, check: (ctx: any) => boolean | Promise<boolean>);
    static REQUEST_PROMPT: true;
    static NO_NEED_TO_PROMPT: false;
  }

  export class Prompt {
    constructor(options: { name: string; requestable?: boolean }, ...checks: Check[]);
    name: string;
    checks: Check[] & { add(check: Check, index?: number): void };
  }

  export type Policy = Prompt[] & { get(name: string): Prompt | undefined; add(prompt: Prompt, index?: number): void };

  export const interactionPolicy: {
    base(): Policy;
    Prompt: typeof Prompt;
    Check: typeof Check;
  };

  export const errors: Record<string, new (description?: string, detail?: string) => Error>;
}

declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  export interface ExpiringStore {
    get(key: string): any;
    set(key: string, value: unknown, options?: { maxAge?: number }): void;
    delete(key: string): void;
  }
  export default class MemoryAdapter {
    constructor(model: string, store?: ExpiringStore, clockTolerance?: number);
  }
}
