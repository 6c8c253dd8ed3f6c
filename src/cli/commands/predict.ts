import { UserError } from '../../core/errors';
import { httpPredictor, sageMakerPredictor, type Predictor } from '../../workflow/predictor';
import { parseCommandArgs, type CliContext } from '../context';

const USAGE = `Usage: sagemaker-hf predict <endpoint-name | http://127.0.0.1:PORT> <text> [<text> ...]

Sends {"inputs": ...} to a SageMaker endpoint (InvokeEndpoint) or a local endpoint (POST /invocations)
and prints the response JSON. --ranked prints every input's labels sorted by score instead.`;

export const command = {
  summary: 'send text to an endpoint (SageMaker or local http://127.0.0.1:PORT) and print the response JSON',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { ranked: { type: 'boolean' } });
    if (values.help) {
      ctx.stdout(USAGE);
      return 0;
    }
    const [endpoint, ...texts] = positionals;
    if (!endpoint || texts.length === 0) throw new UserError(`give an endpoint and at least one text\n${USAGE}`, 'endpoint');
    let predictor: Predictor;
    if (/^https?:\/\//i.test(endpoint)) {
      const url = new URL(endpoint);
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
        throw new UserError(`endpoint: '${endpoint}' is not a local endpoint (only http://127.0.0.1:PORT is accepted; SageMaker endpoints go by name)`, 'endpoint');
      }
      predictor = httpPredictor(endpoint, `local endpoint ${url.host}`);
    } else {
      predictor = sageMakerPredictor(ctx.target, endpoint);
    }
    const result = await predictor.predict(texts.length === 1 ? texts[0]! : texts, ctx.signal);
    ctx.stdout(JSON.stringify(values.ranked ? result.predictions : result.raw, null, 2));
    ctx.stderr(`${Math.round(result.latencyMs)} ms`);
    return 0;
  },
};
