// Where this tool keeps what it downloads (Hub datasets and tokenizers, price lists) between runs:
// SAGEMAKER_HF_CACHE, else ~/.cache/sagemaker-hf. One place, so every feature and the docs agree on it.
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultCacheDir(): string {
  return process.env.SAGEMAKER_HF_CACHE || path.join(os.homedir(), '.cache', 'sagemaker-hf');
}
