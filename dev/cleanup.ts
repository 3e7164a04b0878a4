// Makes sure nothing started by the dev stack outlives this process: on exit,
// SIGINT and SIGTERM, registered stops run (async on signals, sync kills on
// plain exit). Handlers are installed only while something is registered.
type Stopper = { async: () => Promise<void>; sync: () => void };

const active = new Set<Stopper>();
let installed = false;

function onExit(): void {
  for (const s of active) s.sync();
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  const pending = [...active].map((s) => s.async().catch(() => s.sync()));
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 8_000))]);
  onExit();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

const sigint = () => void onSignal('SIGINT');
const sigterm = () => void onSignal('SIGTERM');

export function registerCleanup(asyncStop: () => Promise<void>, syncStop: () => void): () => void {
  const entry = { async: asyncStop, sync: syncStop };
  active.add(entry);
  if (!installed) {
    installed = true;
    process.on('exit', onExit);
    process.once('SIGINT', sigint);
    process.once('SIGTERM', sigterm);
  }
  return () => {
    active.delete(entry);
    if (active.size === 0 && installed) {
      installed = false;
      process.off('exit', onExit);
      process.off('SIGINT', sigint);
      process.off('SIGTERM', sigterm);
    }
  };
}
