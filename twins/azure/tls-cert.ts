/**
 * The twin's TLS certificate: the apps keep speaking HTTPS to the cloud's
 * host names, so the front door needs a certificate for them. One self-signed
 * certificate (P-256, valid two days) for *.azurewebsites.net,
 * *.blob.core.windows.net and management.azure.com, made with the system's
 * openssl and trusted by the apps' processes through Node's standard
 * NODE_EXTRA_CA_CERTS, never by turning verification off.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const TWIN_HOST_SUFFIXES = ['azurewebsites.net', 'blob.core.windows.net', 'management.azure.com'] as const;

export interface TwinCertificate {
  certFile: string;
  cert: Buffer;
  key: Buffer;
}

export function makeTwinCertificate(dir: string): TwinCertificate {
  const certFile = path.join(dir, 'twin-cert.pem');
  const keyFile = path.join(dir, 'twin-key.pem');
  const san = ['DNS:*.azurewebsites.net', 'DNS:*.blob.core.windows.net', 'DNS:management.azure.com'].join(',');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=Curtain Azure twin',
        '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new Error(`openssl could not make the twin's TLS certificate: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
