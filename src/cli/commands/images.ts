// sagemaker-hf images [--region R] [--compiler C] [--json]: the Hugging Face training images per compiler
// and the inference images the catalogue knows, whether each exists in the region, and why a combination
// is refused (compiler frozen at transformers 4.21.1, torch.compile needs PyTorch 2.x, GPU-only
// training images, region not published). No AWS call.
import { UserError } from '../../core/errors';
import { COMPILERS, inferenceRows, knownImageRegions, trainingImageRows } from '../../core/images/imageCatalog';
import type { Compiler } from '../../core/spec/spec';
import type { CliCommand } from '../context';

function pad(s: string, n: number): string {
  return s.length >= n ? `${s} ` : s.padEnd(n);
}

export const command: CliCommand<'images'> = {
  summary: 'list the Hugging Face training and inference images per region and compiler',
  about: `Lists the Hugging Face training images (per training.compiler) and inference images AWS publishes, with the
training.transformersVersion / training.pytorchVersion values to use. With --region (or AWS_REGION) it says
which exist there and prints their URIs. Training images are GPU-only: pick a g*/p* instance type.`,
  async run({ values }, ctx) {
    const compiler = values.compiler;
    if (compiler !== undefined && !COMPILERS.includes(compiler as Compiler)) {
      throw new UserError(`--compiler must be one of ${COMPILERS.join(', ')}, got '${compiler}'`, 'compiler');
    }
    let region: string | undefined;
    try {
      region = values.all ? undefined : ctx.target.region;
    } catch {
      region = undefined; // no region configured: list every region
    }
    if (region && !knownImageRegions().includes(region)) {
      throw new UserError(
        `region: no Hugging Face image is published in '${region}'. Regions with images: ${knownImageRegions().join(', ')}`,
        'region',
      );
    }
    const training = trainingImageRows(compiler as Compiler | undefined, region);
    const inference = inferenceRows(region);
    if (values.json) {
      ctx.stdout(JSON.stringify({ region: region ?? null, training, inference }, null, 2));
      return 0;
    }
    const where = region ? ` in ${region}` : '';
    for (const c of compiler ? [compiler as Compiler] : COMPILERS) {
      const rows = training.filter((r) => r.compiler === c);
      const title =
        c === 'training-compiler'
          ? 'compiler "training-compiler" (SageMaker Training Compiler images; frozen by AWS, newest transformers 4.21.1)'
          : c === 'torch-compile'
            ? 'compiler "torch-compile" (Hugging Face PyTorch training images, torch.compile in train.py)'
            : 'compiler "none" (Hugging Face PyTorch training images)';
      ctx.stdout(`Training images${where}, ${title}; GPU instances only:`);
      ctx.stdout(`  ${pad('transformers', 14)}${pad('pytorch', 9)}${pad('py', 7)}status`);
      for (const r of rows) {
        const status = r.refused
          ? `refused: ${r.refused}`
          : region
            ? r.uri
              ? r.uri
              : `not published in ${region} (${r.regions.length} regions: ${r.regions.join(', ')})`
            : `${r.regions.length} regions`;
        ctx.stdout(`  ${pad(r.transformers, 14)}${pad(r.pytorch, 9)}${pad(r.py, 7)}${status}`);
      }
      ctx.stdout('');
    }
    ctx.stdout(
      `Inference images${where} (deploy picks the training versions' image, else the next newer one; GPU for g*/p*, CPU otherwise):`,
    );
    ctx.stdout(
      `  ${pad('transformers', 14)}${pad('pytorch', 9)}${pad('py', 7)}${region ? 'image (GPU / CPU)' : 'regions'}`,
    );
    for (const r of [...inference].reverse()) {
      const status = region
        ? r.gpuUri
          ? `${r.gpuUri}\n${' '.repeat(32)}${r.cpuUri}`
          : `not published in ${region}`
        : `${r.regions.length} regions`;
      ctx.stdout(`  ${pad(r.transformers, 14)}${pad(r.pytorch, 9)}${pad(r.py, 7)}${status}`);
    }
    if (!region) ctx.stdout(`\nPass --region R to see which exist in a region and their image URIs.`);
    return 0;
  },
};
