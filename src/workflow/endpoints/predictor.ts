// One interface for asking a text-classification endpoint, SageMaker's (InvokeEndpoint) or a local one
// implementing the same container contract (POST /invocations); both parse answers the same way.
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName, describeAwsError } from '../../aws/errors';
import { CancelledError, UserError, isCancelled, throwIfAborted } from '../../core/errors';
import { supportsTopK, versionsFromInferenceImage } from '../../core/images/inferenceImages';
import {
  buildRequestBody,
  parsePredictionBody,
  predictionHttpError,
  type AllScoresParameter,
  type LabelScore,
} from '../../core/endpoints/predictionResponse';
import { fetchFailure, fetchWithTimeout } from '../httpFetch';
import { LOCAL_TOKEN_HEADER } from '../local/localEndpoint';

export interface PredictResult {
  /** One ranked list per input, every label's score when the endpoint gave them. */
  predictions: LabelScore[][];
  latencyMs: number;
  raw: unknown;
}

export interface Predictor {
  readonly label: string;
  predict(inputs: string | string[], signal?: AbortSignal): Promise<PredictResult>;
}

const inputCount = (inputs: string | string[]) => (Array.isArray(inputs) ? inputs.length : 1);

/**
 * Which all-scores parameter the endpoint's image understands, read from its model's image tag;
 * `return_all_scores` when unknown, which every published HF inference image accepts.
 */
async function allScoresParameterOf(
  target: AwsTarget,
  endpointName: string,
  signal?: AbortSignal,
): Promise<AllScoresParameter> {
  try {
    const sm = client(SageMakerClient, target);
    const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: endpointName }), { abortSignal: signal });
    const cfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }), {
      abortSignal: signal,
    });
    const modelName = cfg.ProductionVariants?.[0]?.ModelName;
    const model = await sm.send(new DescribeModelCommand({ ModelName: modelName }), { abortSignal: signal });
    const v = versionsFromInferenceImage(model.PrimaryContainer?.Image ?? model.Containers?.[0]?.Image);
    return v && supportsTopK(v.transformers) ? 'top_k' : 'return_all_scores';
  } catch (err) {
    if (isCancelled(err)) throw err;
    return 'return_all_scores';
  }
}

export function sageMakerPredictor(
  conn: AwsTarget,
  endpointName: string,
  opts: { allScores?: AllScoresParameter } = {},
): Predictor {
  let param: Promise<AllScoresParameter> | undefined = opts.allScores ? Promise.resolve(opts.allScores) : undefined;
  const where = `Predicting with endpoint ${endpointName}`;
  return {
    label: endpointName,
    async predict(inputs, signal) {
      throwIfAborted(signal);
      param ??= allScoresParameterOf(conn, endpointName, signal).catch((e) => {
        param = undefined;
        throw e;
      });
      const body = buildRequestBody(inputs, await param);
      // A ModelError or a 4xx must not be retried: the same body gives the same answer.
      const runtime = client(SageMakerRuntimeClient, conn, { maxAttempts: 1 });
      const t0 = performance.now();
      try {
        const out = await runtime.send(
          new InvokeEndpointCommand({
            EndpointName: endpointName,
            ContentType: 'application/json',
            Accept: 'application/json',
            Body: new TextEncoder().encode(body),
          }),
          { abortSignal: signal },
        );
        const latencyMs = performance.now() - t0;
        const text = out.Body ? new TextDecoder().decode(out.Body) : '';
        return { ...parsePredictionBody(text, inputCount(inputs), out.ContentType), latencyMs };
      } catch (err) {
        if (err instanceof UserError || isCancelled(err)) throw err;
        if (signal?.aborted) throw new CancelledError();
        const e = err as {
          OriginalStatusCode?: number;
          OriginalMessage?: string;
          message?: string;
          LogStreamArn?: string;
        };
        if (awsErrorName(err) === 'ModelError') {
          const inner = predictionHttpError(424, e.OriginalMessage ?? e.message ?? '', `${where} failed`);
          throw new UserError(`${inner.message}${e.LogStreamArn ? ` Log stream: ${e.LogStreamArn}` : ''}`, undefined, {
            cause: err,
          });
        }
        if (awsErrorName(err) === 'ValidationError' && /endpoint/i.test(e.message ?? '')) {
          throw new UserError(`${where} failed: ${e.message}`, 'endpointName', { cause: err });
        }
        throw describeAwsError(err, conn, where);
      }
    },
  };
}

/**
 * A local endpoint speaking the SageMaker container contract on `baseUrl` (e.g. http://127.0.0.1:8080),
 * with its per-run token (X-SageMaker-HF-Token). Same inactivity limit and "waiting for" notice as
 * every SageMaker request.
 */
export function httpPredictor(
  baseUrl: string,
  label: string,
  opts: { allScores?: AllScoresParameter; token?: string } = {},
): Predictor {
  let url: URL;
  try {
    url = new URL('invocations', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new UserError(`endpoint: '${baseUrl}' is not a URL (expected e.g. http://127.0.0.1:8080)`, 'endpoint');
  }
  const where = `Predicting with ${label}`;
  return {
    label,
    async predict(inputs, signal) {
      throwIfAborted(signal);
      const body = buildRequestBody(inputs, opts.allScores ?? 'top_k');
      const t0 = performance.now();
      let res: Response;
      try {
        res = await fetchWithTimeout(
          url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              ...(opts.token ? { [LOCAL_TOKEN_HEADER]: opts.token } : {}),
            },
            body,
            signal,
          },
          { service: label, operation: 'POST /invocations', check: `Check the local endpoint's log` },
        );
      } catch (err) {
        if (signal?.aborted || isCancelled(err)) throw new CancelledError();
        if (err instanceof UserError) throw err;
        const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        throw new UserError(
          `${where} failed: ${url.origin} is not answering (${code}). Is the local endpoint running?`,
          'endpoint',
          { cause: err },
        );
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        if (signal?.aborted || isCancelled(err)) throw new CancelledError();
        throw err instanceof UserError ? err : new UserError(`${where} failed: ${fetchFailure(err)}`, 'endpoint');
      }
      const latencyMs = performance.now() - t0;
      if (!res.ok) throw predictionHttpError(res.status, text, `${where} failed`);
      return {
        ...parsePredictionBody(text, inputCount(inputs), res.headers.get('content-type') ?? undefined),
        latencyMs,
      };
    },
  };
}
