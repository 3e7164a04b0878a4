// Kratos' after-registration web hook as the demo configures it
// (selfservice.flows.registration.after.password.hooks: hook web_hook,
// method POST, body `function(ctx) { identity: ctx.identity }`, auth api_key
// in the Authorization header), pointed at the gateway's
// /_switchback/hooks/olympus-registration. Blocking, like a Kratos web hook
// without `response.ignore`: the sign-up waits for it. A failure is logged
// and the sign-up still completes (Kratos has already stored the identity);
// the user is then one the gateway did not capture, which the complete
// reconcile from the Kratos side still finds.
import type { KratosIdentity } from './identity-types.ts';
import { identityView } from './identity-view.ts';

export interface RegistrationWebHookOptions {
  /** e.g. http://127.0.0.1:8787/_switchback/hooks/olympus-registration */
  url: string;
  /** The api_key value (the gateway's KRATOS_HOOK_TOKEN); read at call time. */
  token: () => string | undefined;
  /** The Kratos public URL, for schema_url. */
  kratosUrl: string;
}

export interface WebHookDelivery {
  identityId: string;
  status: number | 'unreachable';
  at: string;
}

export function registrationWebHook(options: RegistrationWebHookOptions, deliveries: WebHookDelivery[] = []) {
  return async (identity: KratosIdentity): Promise<void> => {
    const token = options.token();
    if (!token) return;
    // ctx.identity with its credentials left out: no hash ever travels on a hook.
    const body = JSON.stringify({ identity: identityView(identity, options.kratosUrl, { load: false, declassify: [] }) });
    let status: WebHookDelivery['status'];
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token, 'user-agent': 'Ory Kratos (local stand-in)' },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      await res.body?.cancel();
      status = res.status;
    } catch {
      status = 'unreachable';
    }
    deliveries.push({ identityId: identity.id, status, at: new Date().toISOString() });
    if (status === 'unreachable' || status >= 300) console.error(`[kratos] registration web hook for ${identity.id}: ${status} from ${options.url}`);
  };
}
