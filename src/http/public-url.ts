/** The gateway's own base URL: PUBLIC_URL when set, else the request's origin. */
import type { GatewayConfig } from '../config.ts';

export function publicBase(config: GatewayConfig, req: Request): string {
  return config.publicUrl ?? new URL(req.url).origin;
}
