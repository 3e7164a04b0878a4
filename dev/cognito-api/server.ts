// Serves the Cognito user-pool API stand-in (app.ts) on 127.0.0.1, for the
// node tests, the demo and benchmarks. `endpoint` is what a client puts where
// `https://cognito-idp.<region>.amazonaws.com/` would be.
import { serveApp } from '../serve-app.ts';
import { createCognitoApp, type CognitoApi, type CognitoAppOptions } from './app.ts';

export interface CognitoApiHandle extends CognitoApi {
  url: string;
  /** `${url}/` */
  endpoint: string;
  port: number;
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startCognitoApi(options: CognitoAppOptions & { port?: number } = {}): Promise<CognitoApiHandle> {
  const { port, ...appOptions } = options;
  const { app, api } = createCognitoApp(appOptions);
  const served = await serveApp((req) => app.fetch(req), port ?? 0);
  return { ...api, url: served.url, endpoint: `${served.url}/`, port: served.port, setDown: served.setDown, stop: served.stop };
}
