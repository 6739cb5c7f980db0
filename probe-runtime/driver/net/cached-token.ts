/**
 * A bearer token fetched on first use and reused until shortly before it
 * expires. Concurrent callers share one fetch, so a burst of 100 requests asks
 * the metadata server once, not 100 times.
 */
export interface ExpiringToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Refresh this long before expiry: a token must not expire while a request is in flight. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class CachedToken {
  private current: ExpiringToken | null = null;
  private pending: Promise<ExpiringToken> | null = null;

  constructor(
    private readonly fetchToken: () => Promise<ExpiringToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.current.expiresAt - REFRESH_MARGIN_MS > this.now()) return this.current.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    this.current = await this.pending;
    return this.current.token;
  }

  /** The cached token when it is still fresh, without a fetch (for the hot send path). */
  peek(): string | null {
    return this.current && this.current.expiresAt - REFRESH_MARGIN_MS > this.now() ? this.current.token : null;
  }
}

/** `exp` of a JWT (epoch ms), without verifying it: the issuer is the metadata server we asked. */
export function jwtExpiry(jwt: string): number | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}
