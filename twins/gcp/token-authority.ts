/**
 * The twin's Google identity: ID tokens (signed JWTs, RS256, as Google signs
 * them, https://cloud.google.com/docs/authentication/token-types#id, read
 * 2026-12-06) and opaque OAuth access tokens for the stack's service accounts,
 * issued by the twin's own key, and checked by the twin's services the way
 * Google's front ends check them: signature, issuer, expiry and, for an ID
 * token, an audience equal to the URL of the service called.
 */
import { createSign, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

const ISSUER = 'https://accounts.google.com';
const LIFETIME_SECONDS = 3600;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export type TokenCheck = { ok: true; email: string } | { ok: false; status: 401; reason: string };

export class TokenAuthority {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly accessTokens = new Map<string, string>();

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  idToken(email: string, audience: string, now = Date.now()): string {
    const iat = Math.floor(now / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'curtain-twin' }));
    const payload = b64url(JSON.stringify({ iss: ISSUER, aud: audience, azp: email, sub: email, email, email_verified: true, iat, exp: iat + LIFETIME_SECONDS }));
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(this.privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  }

  /** The `Authorization: Bearer` ID token of a call to `audience`, checked as Cloud Run checks it. */
  checkIdToken(authorization: string | undefined, audience: string, now = Date.now()): TokenCheck {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, status: 401, reason: 'no bearer token' };
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return { ok: false, status: 401, reason: 'not a JWT' };
    if (!createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(this.publicKey, Buffer.from(signature, 'base64url'))) return { ok: false, status: 401, reason: 'bad signature' };
    let claims: { iss?: unknown; aud?: unknown; exp?: unknown; email?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { ok: false, status: 401, reason: 'unreadable claims' };
    }
    if (claims.iss !== ISSUER) return { ok: false, status: 401, reason: `issuer ${String(claims.iss)}` };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return { ok: false, status: 401, reason: 'expired' };
    if (claims.aud !== audience) return { ok: false, status: 401, reason: `audience ${String(claims.aud)} is not ${audience}` };
    if (typeof claims.email !== 'string') return { ok: false, status: 401, reason: 'no email claim' };
    return { ok: true, email: claims.email };
  }

  accessToken(email: string): string {
    const token = `ya29.twin-${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, email);
    return token;
  }

  /** The account an `Authorization: Bearer` access token was issued to, or null. */
  accessTokenOwner(authorization: string | undefined): string | null {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    return token ? (this.accessTokens.get(token) ?? null) : null;
  }
}
