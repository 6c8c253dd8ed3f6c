// sagemaker-hf predict: text to a SageMaker or local endpoint, from arguments, a file or standard
// input, and the response JSON back; empty text is refused before any request.
import * as fs from 'node:fs';
import { UserError } from '../../core/errors';
import { httpPredictor, sageMakerPredictor, type Predictor } from '../../workflow/endpoints/predictor';
import { localEndpointToken } from '../../workflow/local/localEndpoint';
import type { CliCommand } from '../context';

/** Standard input, whole (the text to classify). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function textFrom(file: string): Promise<string> {
  if (file === '-') return readStdin();
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `--file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'file',
    );
  }
}

export const command: CliCommand<'predict'> = {
  summary: 'send text to an endpoint (SageMaker or local http://127.0.0.1:PORT) and print the response JSON',
  usage: ['<endpoint-name | http://127.0.0.1:PORT> <text> [<text> ...]', '<endpoint> --file FILE'],
  about: `Sends {"inputs": ...} to a SageMaker endpoint (InvokeEndpoint) or a local endpoint (POST /invocations)
and prints the response JSON. FILE '-', or a lone text '-', reads standard input.`,
  async run({ values, positionals, usage }, ctx) {
    const [endpoint, ...args] = positionals;
    const file = values.file;
    if (file !== undefined && args.length)
      throw new UserError(`give the text either as arguments or with --file, not both`, 'file');
    if (!endpoint || (args.length === 0 && file === undefined))
      throw new UserError(
        `give an endpoint and at least one text (or --file FILE, '-' for standard input)\n${usage}`,
        'endpoint',
      );
    // A file or a pipe ends with a newline the user did not mean as text.
    const texts = (
      file !== undefined ? [await textFrom(file)] : args.length === 1 && args[0] === '-' ? [await readStdin()] : args
    ).map((t) => t.replace(/\r?\n$/, ''));
    // As the predictions page: nothing to classify is an error, not a request.
    const empty = texts.findIndex((t) => t.trim() === '');
    if (empty >= 0) {
      const where =
        file !== undefined
          ? file === '-'
            ? 'standard input'
            : `--file ${file}`
          : args[0] === '-'
            ? 'standard input'
            : texts.length > 1
              ? `text ${empty + 1}`
              : 'the text';
      throw new UserError(`text: ${where} is empty; give some text to classify`, 'text');
    }
    let predictor: Predictor;
    if (/^https?:\/\//i.test(endpoint)) {
      const url = new URL(endpoint);
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
        throw new UserError(
          `endpoint: '${endpoint}' is not a local endpoint (only http://127.0.0.1:PORT is accepted; SageMaker endpoints go by name)`,
          'endpoint',
        );
      }
      // The token of an endpoint this tool started is in the workspace's registry; one started by
      // hand is given in the environment, as serve.py read it.
      const token = (await localEndpointToken(process.cwd(), endpoint)) ?? process.env.SAGEMAKER_HF_LOCAL_TOKEN;
      predictor = httpPredictor(endpoint, `local endpoint ${url.host}`, { token });
    } else {
      predictor = sageMakerPredictor(ctx.target, endpoint);
    }
    const result = await predictor.predict(texts.length === 1 ? texts[0]! : texts, ctx.signal);
    ctx.stdout(JSON.stringify(values.ranked ? result.predictions : result.raw, null, 2));
    ctx.stderr(`${Math.round(result.latencyMs)} ms`);
    return 0;
  },
};
