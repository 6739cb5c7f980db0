/**
 * Google Cloud Functions entry (bundle probe-gcp): `probe(req, res)` in the
 * HTTP signature of @google-cloud/functions-framework, deployed with entry point
 * `probe`. The framework is not imported at runtime (Google's buildpack
 * provides it and parses JSON bodies); only its types are used here.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { nowMs } from '../clock';
import { createProbe } from '../probe';
import { answerHttp } from './http-answer';

const instance = createProbe();

export async function probe(req: Request, res: Response): Promise<void> {
  const receivedAt = nowMs();
  if (req.method !== 'POST') {
    res.status(405).set('allow', 'POST').json({ error: 'use POST with a ProbeRequest body' });
    return;
  }
  // gen1 passes the execution id; it ties the record to the platform's logs.
  const executionId = req.executionId ?? req.get('function-execution-id');
  const answer = await answerHttp(instance, req.body ?? req.rawBody, {
    receivedAt,
    providerIds: executionId ? { executionId } : undefined,
  });
  res.status(answer.status).json(answer.body);
}
