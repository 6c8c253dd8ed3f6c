// Whether a failed prediction means the endpoint itself is gone (deleted on SageMaker, or the local
// server no longer listening), so the predictions page can be marked ended instead of showing the same
// error on every Predict. Pure: matched on what the predictors say (workflow/endpoints/predictor.ts).

export type GoneTarget =
  { kind: 'sagemaker'; endpointName: string; region: string } | { kind: 'local'; name: string; url: string };

/** The page's ended line when `err` says the endpoint is gone; undefined for any other failure. */
export function endpointGoneReason(err: unknown, target: GoneTarget): string | undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (target.kind === 'sagemaker') {
    // InvokeEndpoint on a deleted endpoint: "Endpoint <name> of account <id> not found." (ValidationError).
    if (!/\bendpoint\b[^]*\b(not found|could not find)/i.test(message)) return undefined;
    return `Endpoint ${target.endpointName} no longer exists in ${target.region}: predictions have ended. Deploy again, then "Try Predictions".`;
  }
  // Nothing listens on the loopback port any more: the server stopped.
  if (!/\bECONNREFUSED\b/.test(message)) return undefined;
  return `Local endpoint ${target.name} is not running (nothing answers at ${target.url}): predictions have ended. Deploy its job again, then "Try Predictions".`;
}
