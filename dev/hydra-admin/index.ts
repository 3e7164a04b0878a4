// Public entry point of the local Hydra admin API stand-in (token revocation),
// used by the rollback command's e2e test and benchmark.
export { startHydraAdmin, type HydraAdminCall, type HydraAdminHandle, type HydraAdminOptions } from './server.ts';
export { createHydraAdminApp, type HydraAdminAppOptions } from './app.ts';
