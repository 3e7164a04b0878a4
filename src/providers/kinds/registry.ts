/**
 * Every provider kind, by id. A new kind is one file next to this one and
 * one line here; the compiler (`satisfies Record<KindId, ...>`) finds a
 * missing entry.
 */
import type { ProviderOptions } from '../../config.ts';
import { auth0Kind } from './auth0.ts';
import { clerkKind } from './clerk.ts';
import { cognitoKind } from './cognito.ts';
import type { KindId, ProviderKind } from './kind.ts';
import { oryKind } from './ory.ts';

export const PROVIDER_KINDS = {
  auth0: auth0Kind,
  cognito: cognitoKind,
  clerk: clerkKind,
  ory: oryKind,
} as const satisfies Record<KindId, ProviderKind>;

export function kindOf(p: Pick<ProviderOptions, 'kind'>): ProviderKind {
  return PROVIDER_KINDS[p.kind];
}
