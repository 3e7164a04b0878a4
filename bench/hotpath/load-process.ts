// The load generator as its own process (the child side): the same keep-alive
// client as `npm run bench` (../load-worker.ts), driven over Node's IPC
// channel, so it can be pinned to a core of its own with taskset.
import { runLoad } from '../load-worker.ts';
import type { LoadSpec } from '../load-types.ts';

process.on('message', (msg: { id: number; spec: LoadSpec }) => {
  runLoad(msg.spec).then(
    (result) => process.send!({ id: msg.id, result }),
    (err: unknown) => process.send!({ id: msg.id, error: String((err as Error)?.stack ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
