// Serves the Statuspage stand-in on 127.0.0.1 (port 0: a free one).
import { serveApp } from '../serve-app.ts';
import { createStatuspageApp, type StatuspageAppOptions, type StatuspageIncident } from './app.ts';

export interface StatuspageHandle {
  url: string;
  incidents: StatuspageIncident[];
  stop(): Promise<void>;
}

export async function startStatuspageApi(o: StatuspageAppOptions, port = 0): Promise<StatuspageHandle> {
  const { app, incidents } = createStatuspageApp(o);
  const served = await serveApp((req) => app.fetch(req), port);
  return { url: served.url, incidents, stop: served.stop };
}
