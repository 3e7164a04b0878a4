// Public entry point of the demo origin app.
export { startOrigin, type OriginHandle, type OriginOptions } from './server.ts';
export { createOriginApp, type OriginAppOptions } from './app.ts';
