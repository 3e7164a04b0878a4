// `npm run bench:console`: what the operator console costs.
//  1. Page weight: the console page and every file it loads, gzip-compressed (target <= 100 KB).
//  2. First render in headless Chromium: navigation start to the header showing the active
//     provider, median of 5 loads (target <= 1 s locally).
//  3. 50 open consoles: 50 live streams (GET /_switchback/api/events, what each open console
//     holds) plus each console's history refresh every 30 s, against the proxied hot path
//     (16 connections on the public passthrough), interleaved rounds without and with them:
//     throughput ratio (target: unchanged within noise), the gateway's CPU per second, and the
//     live events delivered per second (one snapshot per 2 s tick, written to every stream).
// Prints a table with the command that made it; exits 0.
import { gzipSync } from 'node:zlib';
import chromium from '@sparticuz/chromium';
import { chromium as playwright } from 'playwright-core';
import { startStack, type Stack } from '../dev/stack.ts';
import { LoadClient } from './load-client.ts';
import { cpuDelta, cpuSnapshot } from './process-cpu.ts';
import { machineInfo } from './machine-info.ts';

const CONSOLES = Number(process.env.CONSOLES ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 8);
const CONCURRENCY = 16;
const PASSTHROUGH = '/api/health';
const HISTORY_EVERY_MS = 30_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function consoleCookie(stack: Stack): Promise<string> {
  const res = await fetch(`${stack.gatewayUrl}/_switchback/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ token: stack.viewerToken }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
  });
  const line = res.headers.getSetCookie().find((l) => /sb_console=/.test(l));
  if (res.status !== 303 || !line) throw new Error(`console sign-in answered ${res.status}`);
  return line.split(';')[0]!;
}

async function pageWeight(stack: Stack, cookie: string): Promise<Array<{ path: string; raw: number; gzip: number }>> {
  const html = await (await fetch(`${stack.gatewayUrl}/_switchback/console`, { headers: { cookie } })).text();
  const rows = [{ path: '/_switchback/console', raw: Buffer.byteLength(html), gzip: gzipSync(html).length }];
  for (const m of html.matchAll(/(?:src|href)="(\/_switchback\/console\/assets\/[^"]+)"/g)) {
    const body = Buffer.from(await (await fetch(`${stack.gatewayUrl}${m[1]}`)).arrayBuffer());
    rows.push({ path: m[1]!, raw: body.length, gzip: gzipSync(body).length });
  }
  return rows;
}

async function firstRender(stack: Stack): Promise<number[]> {
  const browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
  try {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/_switchback/console`);
    await page.fill('#token', stack.viewerToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('#active-provider');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto('about:blank');
      await page.goto(`${stack.gatewayUrl}/_switchback/console`);
      await page.waitForSelector('#active-provider');
      times.push(await page.evaluate(() => performance.now()));
    }
    return times;
  } finally {
    await browser.close();
  }
}

/** `n` consoles' worth of traffic: a live stream each, and their history refreshes. */
function openConsoles(stack: Stack, cookie: string, n: number) {
  const controller = new AbortController();
  let frames = 0;
  let historyCalls = 0;
  const timers: NodeJS.Timeout[] = [];
  const streams = Array.from({ length: n }, async () => {
    const res = await fetch(`${stack.gatewayUrl}/_switchback/api/events`, { headers: { cookie }, signal: controller.signal });
    if (res.status !== 200 || !res.body) throw new Error(`/events answered ${res.status}`);
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) frames += (decoder.decode(chunk, { stream: true }).match(/^event: status$/gm) ?? []).length;
    } catch {
      // aborted at the end of the phase
    }
  });
  for (let i = 0; i < n; i++) {
    const start = setTimeout(() => {
      const tick = () => {
        historyCalls++;
        void fetch(`${stack.gatewayUrl}/_switchback/api/history?range=1h`, { headers: { cookie }, signal: controller.signal }).then((r) => r.arrayBuffer()).catch(() => {});
      };
      tick();
      timers.push(setInterval(tick, HISTORY_EVERY_MS));
    }, (i * HISTORY_EVERY_MS) / n);
    timers.push(start);
  }
  return {
    frames: () => frames,
    historyCalls: () => historyCalls,
    close: async () => {
      for (const t of timers) clearTimeout(t), clearInterval(t);
      controller.abort();
      await Promise.allSettled(streams);
    },
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`# bench:console  ${new Date().toISOString()}  ${machine.cpus} cores, ${machine.cpuModel}\n# npm run bench:console  (CONSOLES=${CONSOLES} ROUNDS=${ROUNDS} SECONDS=${SECONDS})`);
  const stack = await startStack();
  const client = new LoadClient();
  try {
    const cookie = await consoleCookie(stack);

    const weight = await pageWeight(stack, cookie);
    const total = weight.reduce((a, r) => a + r.gzip, 0);
    console.log('\n## Page weight (gzip)');
    for (const r of weight) console.log(`  ${r.path.padEnd(56)} ${String(r.raw).padStart(7)} B raw  ${String(r.gzip).padStart(6)} B gzip`);
    console.log(`  total ${(total / 1024).toFixed(1)} KB gzip  (target <= 100 KB: ${total <= 100 * 1024 ? 'met' : 'NOT met'})`);

    const renders = await firstRender(stack);
    const fr = median(renders);
    console.log(`\n## First render (navigation start to the active provider on screen)\n  ${renders.map((t) => t.toFixed(0)).join(', ')} ms; median ${fr.toFixed(0)} ms  (target <= 1000 ms: ${fr <= 1000 ? 'met' : 'NOT met'})`);

    console.log(`\n## Hot path (${PASSTHROUGH}, ${CONCURRENCY} connections, ${SECONDS} s) without and with ${CONSOLES} open consoles`);
    await client.run({ url: `${stack.gatewayUrl}${PASSTHROUGH}`, headers: {}, concurrency: CONCURRENCY, durationMs: 3000, timeoutMs: 10_000 });
    const rows: Array<{ consoles: number; rps: number; p99: number; cpuPerS: number; framesPerS: number; errors: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of round % 2 === 0 ? [0, CONSOLES] : [CONSOLES, 0]) {
        const open = n ? openConsoles(stack, cookie, n) : undefined;
        if (open) await new Promise((r) => setTimeout(r, 1500)); // streams connected
        const f0 = open?.frames() ?? 0;
        const before = cpuSnapshot();
        const t0 = performance.now();
        const r = await client.run({ url: `${stack.gatewayUrl}${PASSTHROUGH}`, headers: {}, concurrency: CONCURRENCY, durationMs: SECONDS * 1000, timeoutMs: 10_000 });
        const wall = (performance.now() - t0) / 1000;
        const cpu = cpuDelta(before, cpuSnapshot());
        const framesPerS = open ? (open.frames() - f0) / wall : 0;
        await open?.close();
        rows.push({ consoles: n, rps: r.rps, p99: r.p99, cpuPerS: cpu.gatewayMs / wall, framesPerS, errors: r.errors });
        console.log(`  round ${round + 1} consoles ${String(n).padStart(3)}: ${r.rps.toFixed(0).padStart(5)} req/s  p99 ${r.p99.toFixed(1)} ms  gateway CPU ${(cpu.gatewayMs / wall).toFixed(0)} ms/s  live events ${framesPerS.toFixed(1)}/s${r.errors ? `  ERRORS ${r.errors}` : ''}`);
      }
    }
    const without = rows.filter((r) => r.consoles === 0);
    const withC = rows.filter((r) => r.consoles > 0);
    const ratio = median(withC.map((r) => r.rps)) / median(without.map((r) => r.rps));
    console.log(`\n## Summary`);
    console.log(`  throughput with ${CONSOLES} consoles / without: ${ratio.toFixed(3)} (medians ${median(withC.map((r) => r.rps)).toFixed(0)} / ${median(without.map((r) => r.rps)).toFixed(0)} req/s)`);
    console.log(`  gateway CPU: ${median(without.map((r) => r.cpuPerS)).toFixed(0)} ms/s without, ${median(withC.map((r) => r.cpuPerS)).toFixed(0)} ms/s with (under the same load)`);
    console.log(`  live events delivered: ${median(withC.map((r) => r.framesPerS)).toFixed(1)}/s to ${CONSOLES} consoles (one /status build per 2 s tick for all; polling every 5 s would be ${(CONSOLES / 5).toFixed(0)} /status builds per second)`);
  } finally {
    await client.close();
    await stack.stop();
  }
}

await main();
