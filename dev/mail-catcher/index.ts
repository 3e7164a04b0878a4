// Public entry point of the local mail catcher (npm start, e2e tests).
export { startMailCatcher, type MailCatcherHandle } from './server.ts';
export { createMailCatcherApp } from './app.ts';
export { MessageStore, type CaughtMessage, type NewMessage } from './messages.ts';
