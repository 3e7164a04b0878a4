// The login / sign-up / consent interaction of the local IdPs, built on
// oidc-provider's interactionDetails/interactionFinished. Consent is granted
// automatically; failure injection (see control.ts) is applied here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { readForm, sendHtml } from '../http-util.ts';
import type { IdpMode } from './control.ts';
import { errorPage, loginPage, signupPage, type Brand } from './pages.ts';
import type { UserDirectory } from './users.ts';
import { UPSTREAM_IMPROPER, type VerifyPassword } from './password-migration-hook.ts';

export interface InteractionContext {
  provider: Provider;
  users: UserDirectory;
  mode: IdpMode;
  brand: Brand;
  /** Replaces users.verify (Kratos's password migration hook, password-migration-hook.ts). */
  verifyPassword?: VerifyPassword;
}

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|signup|abort))?$/;

const FAILURE = {
  error: 'access_denied',
  error_description: 'Login failed (failure injected via /_control/mode)',
};

/** Handles /interaction/* requests. Returns false when the path is not an interaction path. */
export async function handleInteraction(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  ctx: InteractionContext,
): Promise<boolean> {
  const match = ROUTE.exec(pathname);
  if (!match) return false;
  const action = match[2] ?? 'show';
  let details: InteractionDetails;
  try {
    details = await ctx.provider.interactionDetails(req, res);
  } catch (err) {
    sendHtml(res, 400, errorPage(ctx.brand, {
      error: 'invalid_request',
      error_description: `interaction expired or not found (${(err as Error).message}); start the sign-in again`,
    }));
    return true;
  }
  if (details.uid !== match[1]) {
    sendHtml(res, 400, errorPage(ctx.brand, { error: 'invalid_request', error_description: 'interaction mismatch' }));
    return true;
  }
  const key = `${req.method} ${action}`;
  switch (key) {
    case 'GET show':
      await show(req, res, ctx, details);
      break;
    case 'POST login':
      await submitLogin(req, res, ctx, details);
      break;
    case 'GET signup':
      sendHtml(res, 200, renderSignup(ctx, details));
      break;
    case 'POST signup':
      await submitSignup(req, res, ctx, details);
      break;
    case 'GET abort':
      await ctx.provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
      break;
    default:
      sendHtml(res, 405, errorPage(ctx.brand, { error: 'method_not_allowed', error_description: key }));
  }
  return true;
}

function wantsSignup(details: InteractionDetails): boolean {
  return details.prompt.name === 'create' || details.params.screen_hint === 'signup';
}

async function show(req: IncomingMessage, res: ServerResponse, ctx: InteractionContext, details: InteractionDetails) {
  const { name } = details.prompt;
  if (name === 'consent') return grantConsent(req, res, ctx, details);
  if (ctx.mode.failLogins === true) {
    return ctx.provider.interactionFinished(req, res, FAILURE, { mergeWithLastSubmission: false });
  }
  if (wantsSignup(details)) return sendHtml(res, 200, renderSignup(ctx, details));
  const loginHint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
  sendHtml(res, 200, await renderLogin(ctx, details, { email: loginHint }));
}

async function renderLogin(
  ctx: InteractionContext,
  details: InteractionDetails,
  extra: { email?: string; error?: string; notice?: string },
): Promise<string> {
  const client = await ctx.provider.Client.find(details.params.client_id);
  const base = `/interaction/${details.uid}`;
  return loginPage(ctx.brand, {
    action: `${base}/login`,
    signupHref: `${base}/signup`,
    abortHref: `${base}/abort`,
    clientName: client?.clientName ?? client?.clientId,
    ...extra,
  });
}

function renderSignup(ctx: InteractionContext, details: InteractionDetails, extra: { values?: Record<string, string>; error?: string } = {}) {
  const base = `/interaction/${details.uid}`;
  return signupPage(ctx.brand, { action: `${base}/signup`, loginHref: base, ...extra });
}

async function submitLogin(req: IncomingMessage, res: ServerResponse, ctx: InteractionContext, details: InteractionDetails) {
  const form = await readForm(req);
  const email = form.get('email') ?? '';
  if (ctx.mode.failLogins === true) {
    return ctx.provider.interactionFinished(req, res, FAILURE, { mergeWithLastSubmission: false });
  }
  if (ctx.mode.failLogins === 'hang') {
    // Kratos-like: the form is re-rendered with 200 and never lets the user in.
    return sendHtml(res, 200, await renderLogin(ctx, details, { email, notice: 'Please wait and try again.' }));
  }
  const password = form.get('password') ?? '';
  const user = ctx.verifyPassword ? await ctx.verifyPassword(email, password, req) : await ctx.users.verify(email, password);
  if (user === 'upstream_error') return sendHtml(res, 200, await renderLogin(ctx, details, { email, error: UPSTREAM_IMPROPER }));
  if (!user) {
    return sendHtml(res, 200, await renderLogin(ctx, details, { email, error: 'Wrong email or password.' }));
  }
  await finishLogin(req, res, ctx, details, user.sub);
}

async function submitSignup(req: IncomingMessage, res: ServerResponse, ctx: InteractionContext, details: InteractionDetails) {
  const form = await readForm(req);
  const values = Object.fromEntries(['email', 'given_name', 'family_name'].map((k) => [k, (form.get(k) ?? '').trim()]));
  const password = form.get('password') ?? '';
  if (!values.email || !password || !values.given_name || !values.family_name) {
    return sendHtml(res, 200, renderSignup(ctx, details, { values, error: 'All fields are required.' }));
  }
  if (ctx.mode.failLogins === true) {
    return ctx.provider.interactionFinished(req, res, FAILURE, { mergeWithLastSubmission: false });
  }
  let sub: string;
  try {
    sub = (await ctx.users.signUp({ email: values.email, password, given_name: values.given_name, family_name: values.family_name })).sub;
  } catch (err) {
    return sendHtml(res, 200, renderSignup(ctx, details, { values, error: (err as Error).message }));
  }
  await finishLogin(req, res, ctx, details, sub);
}

async function finishLogin(req: IncomingMessage, res: ServerResponse, ctx: InteractionContext, details: InteractionDetails, accountId: string) {
  const result: Record<string, unknown> = { login: { accountId } };
  if (details.prompt.name === 'create') result.create = {};
  await ctx.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

/** Grants everything that was asked for: scopes, claims and resource (API) scopes. */
async function grantConsent(req: IncomingMessage, res: ServerResponse, ctx: InteractionContext, details: InteractionDetails) {
  const accountId = details.session?.accountId;
  if (!accountId) {
    return sendHtml(res, 400, errorPage(ctx.brand, { error: 'invalid_request', error_description: 'no session for consent' }));
  }
  const { Grant } = ctx.provider;
  const existing = details.grantId ? await Grant.find(details.grantId) : undefined;
  const grant = existing ?? new Grant({ accountId, clientId: details.params.client_id });
  const d = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await ctx.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
