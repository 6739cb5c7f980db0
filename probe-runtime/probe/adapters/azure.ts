/**
 * Azure Functions entry (bundle probe-azure), v4 programming model: registers
 * the HTTP trigger `probe` (POST, function-key auth: only holders of the key,
 * i.e. the driver, may invoke it). @azure/functions stays external to the
 * bundle: the Azure Functions Node.js stack installs it.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { nowMs } from '../clock';
import { createProbe } from '../probe';
import { answerHttp } from './http-answer';

const instance = createProbe();

export async function probeHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const receivedAt = nowMs();
  const answer = await answerHttp(instance, await request.text(), {
    receivedAt,
    providerIds: { invocationId: context.invocationId },
  });
  return { status: answer.status, jsonBody: answer.body };
}

app.http('probe', { methods: ['POST'], authLevel: 'function', handler: probeHandler });
