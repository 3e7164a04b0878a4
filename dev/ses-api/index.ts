// Public entry point of the Amazon SES v2 SendEmail stand-in (node tests).
import { serveApp } from '../serve-app.ts';
import { createSesApp, type SesApi, type SesAppOptions } from './app.ts';

export { createSesApp, DEFAULT_SES_CREDENTIALS, DEFAULT_SES_REGION, type SentSesEmail, type SesAppOptions } from './app.ts';

export interface SesApiHandle extends SesApi {
  /** What a client uses instead of https://email.<region>.amazonaws.com */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSesApi(options: SesAppOptions & { port?: number } = {}): Promise<SesApiHandle> {
  const { port, ...appOptions } = options;
  const { app, api } = createSesApp(appOptions);
  const served = await serveApp((req) => app.fetch(req), port ?? 0);
  return { ...api, endpoint: served.url, stop: served.stop };
}
