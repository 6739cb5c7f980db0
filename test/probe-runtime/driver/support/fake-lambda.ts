/**
 * A loopback server speaking the Lambda Invoke REST API as AWS does (status
 * codes, X-Amz-Function-Error, x-amzn-ErrorType, JSON error bodies), for the
 * invoker and the AWS entry; no Lambda emulator runs here.
 */
import { ProbeRequest } from '../../../../probe-runtime/contracts/probe-wire';
import { json, type LoopbackServer, startLoopbackServer } from './loopback-server';
import { fakeProbeResponse } from './probe-fixture';

export type LambdaFate = 'ok' | 'function-error' | 'throttle' | 'hang' | 'service-error' | { delayMs: number };

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function startFakeLambda(fate: (request: ProbeRequest) => LambdaFate = () => 'ok'): Promise<LoopbackServer> {
  return startLoopbackServer((req, res) => {
    const match = INVOKE_PATH.exec(req.url.pathname);
    if (req.method !== 'POST' || !match) return json(res, 404, { message: 'not found' });
    const request = ProbeRequest.parse(JSON.parse(req.body));
    const answer = () => json(res, 200, { ...fakeProbeResponse(request), providerIds: { functionName: decodeURIComponent(match[1]!) } }, { 'x-amz-executed-version': '$LATEST' });
    const what = fate(request);
    if (typeof what === 'object') {
      setTimeout(answer, what.delayMs);
      return;
    }
    switch (what) {
      case 'function-error':
        return json(res, 200, { errorType: 'Runtime.ExitError', errorMessage: 'RequestId: abc Error: Runtime exited with error: signal: killed' }, { 'x-amz-function-error': 'Unhandled' });
      case 'throttle':
        return json(res, 429, { Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, { 'x-amzn-errortype': 'TooManyRequestsException' });
      case 'hang':
        return; // never answers: the driver's timeout must fire
      case 'service-error':
        return json(res, 500, { message: 'internal' }, { 'x-amzn-errortype': 'ServiceException' });
      case 'ok':
        return answer();
    }
  });
}
