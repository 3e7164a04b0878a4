// `npm run drill`: rehearse the rollback against a gateway (the embedded default that
// `npm start` runs, or a staging gateway with an Olympus stand-in it can switch), print
// each step with its time, write drill.json / drill.md / drill.html, record the result
// on the gateway and compare it with earlier drills. See scripts/drill/drill-options.ts.
// Exit 0: every criterion passed; 1: one failed (named); 2: bad options.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adminApi, okJson } from './cli/admin-api.ts';
import { DRILL_HELP, DrillUsageError, readDrillOptions } from './drill/drill-options.ts';
import { runDrill } from './drill/drill-run.ts';
import { html, markdown, summarize, trendLines, type DrillSummary } from './drill/drill-report.ts';

let options;
try {
  options = readDrillOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof DrillUsageError) && !(err instanceof TypeError)) throw err;
  console.error(`drill: ${err.message}\n\n${DRILL_HELP}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(DRILL_HELP);
  process.exit(0);
}
const o = options;
const api = adminApi(o.gateway, o.token);

const run = await runDrill(o, (line) => console.log(line));
const summary = summarize(run, o.targetMs, o.gateway);

let earlier: DrillSummary[] = [];
try {
  earlier = (await okJson('GET /drills', api.drills.$get())).drills.map((d) => d.report);
} catch (err) {
  console.log(`drill: earlier drills could not be read (${(err as Error).message})`);
}
const trend = trendLines(summary, earlier);
let recordToFailed = false;

await mkdir(o.out, { recursive: true });
await writeFile(join(o.out, 'drill.json'), `${JSON.stringify({ ...summary, hypothesis: run.hypothesis, injection: run.injection, events: run.events }, null, 2)}\n`);
await writeFile(join(o.out, 'drill.md'), markdown(run, summary, trend));
await writeFile(join(o.out, 'drill.html'), html(run, summary, trend));

if (o.record) {
  try {
    const r = await okJson('POST /drills', api.drills.$post({ json: summary }));
    console.log(`drill: recorded on the gateway as drill ${r.seq} (GET ${o.gateway}/_switchback/api/drills)`);
  } catch (err) {
    console.log(`drill: not recorded on the gateway (${(err as Error).message})`);
  }
}

if (o.recordTo) {
  // Rehearsed here (staging), recorded there (prod): prod keeps it as a drill from another environment.
  try {
    const r = await okJson('POST /drills', adminApi(o.recordTo.gateway, o.recordTo.token).drills.$post({ json: summary }));
    console.log(`drill: recorded on ${o.recordTo.gateway} as drill ${r.seq}${r.elsewhere ? ` (from another environment: ${o.gateway})` : ''}`);
  } catch (err) {
    console.error(`drill: NOT recorded on ${o.recordTo.gateway} (${(err as Error).message})`);
    recordToFailed = true;
  }
}

console.log('\ndrill: verdict per criterion');
for (const c of summary.criteria) console.log(`  ${c.pass ? 'pass' : 'FAIL'}  ${c.name}: ${c.measured} (target: ${c.target})`);
for (const t of trend) console.log(`  trend: ${t}`);
console.log(`drill: reports in ${o.out}/ (drill.json, drill.md, drill.html)`);
const failed = summary.criteria.filter((c) => !c.pass);
if (failed.length) {
  console.error(`drill: FAILED: ${failed.map((c) => c.name).join('; ')}`);
  process.exit(1);
}
if (recordToFailed) {
  // The gate on that gateway will not see this drill: not a silent success.
  console.error(`drill: PASSED here, but not recorded on ${o.recordTo!.gateway}: record it again (the summary is in ${o.out}/drill.json)`);
  process.exit(3);
}
console.log('drill: PASSED');
