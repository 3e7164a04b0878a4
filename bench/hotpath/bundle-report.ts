// `npm run bench:bundle`: only the upload sizes of `npm run bench:hotpath`
// (the production gateway and controller Workers, and the combined one), in
// seconds instead of minutes; HOTPATH_BUILD=0 re-measures the last build.
import { measureAllBundles } from './bundle-size.ts';
import { printBundles } from './hotpath-report.ts';

console.log('# switchback upload size: npm run bench:bundle (wrangler deploy --dry-run, three configs)');
printBundles(measureAllBundles(process.env.HOTPATH_BUILD !== '0'));
