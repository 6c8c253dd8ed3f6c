// What managed spot training saves on the example spec, computed by the code the confirmation uses
// (src/core/billing/billing.ts: price x expected hours, on-demand and the spot estimate). No AWS call.
//   node bench/spot-savings.mjs [expected-hours ...]   (default: 0.5 1 2)
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const built = await esbuild.build({
  entryPoints: ['src/core/billing/billing.ts'],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
});
const billing = await import(
  `data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`
);
const spec = JSON.parse(readFileSync('examples/emotion.sagemaker-hf.json', 'utf8'));
const { instanceType, instanceCount = 1 } = spec.training;
const hours = process.argv
  .slice(2)
  .map(Number)
  .filter((h) => h > 0);
console.log(
  `${instanceType} x${instanceCount}, us-east-1: ${billing.formatSpotEstimate(instanceType, instanceCount, 'us-east-1')}`,
);
console.log('| expected hours | on-demand | spot (estimate) | saved |');
console.log('| ---: | ---: | ---: | ---: |');
for (const h of hours.length ? hours : [0.5, 1, 2]) {
  const c = billing.expectedSpotCost(instanceType, instanceCount, 'us-east-1', h);
  console.log(`| ${h} | $${c.onDemand.toFixed(2)} | $${c.spot.toFixed(2)} | $${c.saving.toFixed(2)} |`);
}
