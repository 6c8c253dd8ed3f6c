// On-demand SageMaker prices (USD per instance-hour, us-east-1, Linux) for the instance types this
// workflow offers: the offline fallback of the Price List (workflow/prices.ts, which labels every figure
// from here "about …, offline table (us-east-1 prices)"). Unknown types return undefined, and the UI then
// says the price is unknown instead of guessing.
// Source: the SageMaker pricing page (training and real-time inference tables), read 2026-11.

const TRAINING_US_EAST_1: Record<string, number> = {
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.m5.4xlarge': 0.922,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.p3.2xlarge': 3.825,
  'ml.p3.8xlarge': 14.688,
  'ml.p3.16xlarge': 28.152,
  'ml.p3dn.24xlarge': 35.894,
  'ml.p4d.24xlarge': 37.688,
  'ml.p5.48xlarge': 113.068,
  'ml.g4dn.xlarge': 0.736,
  'ml.g4dn.2xlarge': 0.94,
  'ml.g4dn.4xlarge': 1.505,
  'ml.g4dn.8xlarge': 2.72,
  'ml.g4dn.12xlarge': 4.89,
  'ml.g4dn.16xlarge': 5.44,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.g5.4xlarge': 2.03,
  'ml.g5.8xlarge': 3.06,
  'ml.g5.12xlarge': 7.09,
  'ml.g5.16xlarge': 4.096,
  'ml.g5.24xlarge': 10.18,
  'ml.g5.48xlarge': 20.36,
  'ml.g6.xlarge': 1.0056,
  'ml.g6.2xlarge': 1.222,
  'ml.g6e.xlarge': 2.2366,
};

const INFERENCE_US_EAST_1: Record<string, number> = {
  'ml.t2.medium': 0.056,
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.c5.large': 0.102,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.g4dn.xlarge': 0.736,
  'ml.g4dn.2xlarge': 0.94,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.p3.2xlarge': 3.825,
  'ml.g6.xlarge': 1.0056,
  'ml.inf2.xlarge': 0.99,
};

// Processing jobs (prepare --on sagemaker): the CPU types the prepare picker offers and their neighbours.
// Source: the SageMaker pricing page, Processing table (us-east-1, on-demand); for the c5 and m5 families
// these equal the training rates above (1.2x the EC2 rate). A type missing here falls back to the
// training table.
const PROCESSING_US_EAST_1: Record<string, number> = {
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.m5.4xlarge': 0.922,
  'ml.m5.12xlarge': 2.765,
  'ml.m5.24xlarge': 5.53,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.c5.9xlarge': 1.836,
  'ml.c5.18xlarge': 3.672,
};

export type PriceUse = 'training' | 'inference' | 'processing';

export interface Price {
  perHour: number;
  /** The region the figure is for (us-east-1); the UI says "about" elsewhere. */
  region: 'us-east-1';
  exactRegion: boolean;
}

export function onDemandPrice(instanceType: string, use: PriceUse, region: string): Price | undefined {
  if (instanceType === 'local') return { perHour: 0, region: 'us-east-1', exactRegion: true };
  const table =
    use === 'training' ? TRAINING_US_EAST_1 : use === 'processing' ? PROCESSING_US_EAST_1 : INFERENCE_US_EAST_1;
  const perHour = table[instanceType] ?? (use === 'training' ? undefined : TRAINING_US_EAST_1[instanceType]);
  return perHour === undefined ? undefined : { perHour, region: 'us-east-1', exactRegion: region === 'us-east-1' };
}
