// A whole-number benchmark knob from the environment (e.g. MIRROR_BENCH_SIGNUPS),
// with its default and bounds: a wrong value stops the benchmark naming it.
export function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}
