// The parts of the local stack that make the product's story run end to end
// (issue 9): Olympus as Kratos (its users are the identities the Kratos admin
// stand-in serves, with their password hashes; a sign-up calls the gateway's
// registration hook and queues Kratos' verification email), Auth0 as one
// tenant (the login stand-in signs in the Management API stand-in's users, so
// a user a reconcile imports with their hash signs in with the same
// password), and a mail catcher that receives every email and notification.
import { randomBytes } from 'node:crypto';
import { seedLoginUsers, tenantDirectory } from './auth0-api/login-directory.ts';
import { ResetTickets } from './auth0-api/reset-tickets.ts';
import { AUTH0_CLIENT_ID } from './gateway-vars.ts';
import { AUTH0_RESET_TICKET_PATH, type PasswordReset } from './idp/password-reset.ts';
import { startAuth0Api, type Auth0ApiHandle } from './auth0-api/index.ts';
import { DEFAULT_AUTH0_USERS, DEFAULT_OLYMPUS_USERS, type SeedUser } from './idp/index.ts';
import type { UserDirectory } from './idp/users.ts';
import { identityFor, KratosIdentityDirectory } from './kratos-admin/identity-directory.ts';
import { startKratosAdmin, type KratosAdminHandle } from './kratos-admin/index.ts';
import { registrationWebHook, type WebHookDelivery } from './kratos-admin/registration-webhook.ts';
import { startMailCatcher, type MailCatcherHandle } from './mail-catcher/index.ts';
import { auth0Message, kratosVerificationMessage } from './story-mail.ts';

export const REGISTRATION_HOOK_PATH = '/_switchback/hooks/olympus-registration';
export const RECONCILE_CLIENT_ID = 'switchback-reconcile';

/** The story's parts a test or the banner uses. */
export interface Story {
  /** Auth0 Management API v2 stand-in: the same users the Auth0 login stand-in signs in. */
  auth0Api: Auth0ApiHandle;
  /** Kratos admin API stand-in: the same identities the Olympus login stand-in signs in. */
  kratosAdmin: KratosAdminHandle;
  mail: MailCatcherHandle;
  /** Every call of the registration web hook, with the gateway's answer. */
  registrationHooks: WebHookDelivery[];
  /** The environment `npm run reconcile` needs against this stack (the stack adds SWITCHBACK_ADMIN_TOKEN). */
  reconcileEnv: Record<string, string>;
}

export interface StoryParts extends Story {
  auth0Directory: UserDirectory;
  auth0PasswordReset: PasswordReset;
  olympusDirectory: UserDirectory;
  /** The Auth0 login stand-in's URL, once it runs: reset links in emails lead there. */
  setAuth0LoginUrl(url: string): void;
  stop(): Promise<void>;
}

export interface StoryOptions {
  gatewayUrl: string;
  /** The gateway's KRATOS_HOOK_TOKEN, read when a sign-up happens. */
  hookToken: () => string | undefined;
  auth0Users?: SeedUser[];
  auth0ExtraUsers?: SeedUser[];
  olympusUsers?: SeedUser[];
  olympusExtraUsers?: SeedUser[];
  ports: { auth0Api: number; kratosAdmin: number; mail: number };
}

/** Seeded identities predate the migration, so a reconcile window never holds them. */
const SEEDED_AT = () => new Date(Date.now() - 30 * 86_400_000).toISOString();

export async function startStory(options: StoryOptions): Promise<StoryParts> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = () => Promise.all(stops.reverse().map((s) => s().catch(() => {}))).then(() => {});
  try {
    const mail = await startMailCatcher(options.ports.mail);
    stops.push(mail.stop);

    let auth0LoginUrl: string | undefined;
    const reconcileSecret = randomBytes(24).toString('base64url');
    let resets: ResetTickets | undefined;
    const auth0Api = await startAuth0Api({
      port: options.ports.auth0Api,
      clients: [
        { client_id: RECONCILE_CLIENT_ID, client_secret: reconcileSecret },
        // The gateway's application: asks for reset emails (/dbconnections/change_password), no Management API scope.
        { client_id: AUTH0_CLIENT_ID, client_secret: randomBytes(24).toString('base64url'), scopes: [] },
      ],
      onEmail: (email) =>
        mail.add(auth0Message(email, {
          resetUrl: (e) => `${auth0LoginUrl ?? '(Auth0 login stand-in not started)'}${AUTH0_RESET_TICKET_PATH}?ticket=${resets!.mint(e)}`,
        })),
    });
    stops.push(auth0Api.stop);
    resets = new ResetTickets({ users: auth0Api.users, connection: auth0Api.connection, url: auth0Api.url }, AUTH0_CLIENT_ID);
    const auth0Seeds = [...(options.auth0Users ?? DEFAULT_AUTH0_USERS), ...(options.auth0ExtraUsers ?? [])];
    seedLoginUsers(auth0Api, auth0Seeds);

    const seededAt = SEEDED_AT();
    const olympusSeeds = [...(options.olympusUsers ?? DEFAULT_OLYMPUS_USERS), ...(options.olympusExtraUsers ?? [])];
    const kratosAdmin = await startKratosAdmin({
      port: options.ports.kratosAdmin,
      courierDevMode: true,
      // An Olympus user with the email of an Auth0 user was imported from Auth0 (metadata_admin.legacy_auth0_id).
      identities: olympusSeeds.map((u) => identityFor({ ...u, createdAt: seededAt, legacyAuth0Id: auth0Seeds.find((a) => a.email === u.email)?.sub })),
    });
    stops.push(kratosAdmin.stop);

    const registrationHooks: WebHookDelivery[] = [];
    const webHook = registrationWebHook({ url: `${options.gatewayUrl}${REGISTRATION_HOOK_PATH}`, token: options.hookToken, kratosUrl: kratosAdmin.url }, registrationHooks);
    const olympusDirectory = new KratosIdentityDirectory(kratosAdmin.identities, {
      afterRegistration: async (identity) => {
        const email = String(identity.traits.email);
        const code = String(Math.floor(100_000 + Math.random() * 900_000));
        const message = kratosVerificationMessage(email, code);
        kratosAdmin.addCourierMessage({ recipient: email, template_type: 'verification_code_valid', subject: message.subject, body: message.text });
        mail.add(message);
        await webHook(identity);
      },
    });

    return {
      auth0Api,
      kratosAdmin,
      mail,
      registrationHooks,
      reconcileEnv: {
        KRATOS_ADMIN_URL: kratosAdmin.url,
        AUTH0_MANAGEMENT_URL: auth0Api.managementUrl,
        AUTH0_MGMT_CLIENT_ID: RECONCILE_CLIENT_ID,
        AUTH0_MGMT_CLIENT_SECRET: reconcileSecret,
        AUTH0_CONNECTION: auth0Api.connection.name,
        SWITCHBACK_URL: options.gatewayUrl,
      },
      auth0Directory: tenantDirectory(auth0Api),
      auth0PasswordReset: resets,
      olympusDirectory,
      setAuth0LoginUrl: (url) => (auth0LoginUrl = url),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
