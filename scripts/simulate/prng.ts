/**
 * Seeded randomness for the rules simulation, so a printed table can be
 * reproduced exactly from its seed. xoshiro128** seeded through splitmix32;
 * each scenario derives its own stream from (seed, label), so the numbers of
 * one section do not change when another section is skipped or resized.
 * Poisson draws: inversion for small means, PTRS (Hörmann 1993) for large.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const LOG_FACT = (() => {
  const t = new Float64Array(256);
  for (let k = 1; k < 256; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
})();

function logFactorial(k: number): number {
  if (k < 256) return LOG_FACT[k]!;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k) - 1 / (360 * k * k * k);
}

export class Rng {
  /** xoshiro128** state; a typed array keeps the 32-bit words unboxed. */
  private readonly s = new Int32Array(4);
  private spareNormal: number | undefined;

  /** A stream for one scenario: the same (seed, label) always gives the same numbers. */
  constructor(seed: number, label: string) {
    const sm = splitmix32((seed >>> 0) ^ hashLabel(label));
    this.s[0] = sm();
    this.s[1] = sm();
    this.s[2] = sm();
    this.s[3] = sm() | 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const s1 = s[1]!;
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s1;
    s[1] = s1 ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    const d = s[3]!;
    s[3] = (d << 11) | (d >>> 21);
    return (r >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const s = this.spareNormal;
      this.spareNormal = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `expNeg` = Math.exp(-mean), when the caller has it precomputed (hot loops). */
  poisson(mean: number, expNeg?: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      const u = this.next();
      let p = expNeg ?? Math.exp(-mean);
      if (u <= p) return 0;
      let s = p;
      let k = 0;
      while (u > s && k < 1000) {
        k++;
        p *= mean / k;
        s += p;
      }
      return k;
    }
    return this.poissonPtrs(mean);
  }

  private poissonPtrs(mean: number): number {
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
    }
  }
}
