import { randomBytes } from 'node:crypto';

export interface SandboxUser {
  readonly id: string;
  readonly username: string;
  readonly password?: string;
}

export type GrantType = 'password' | 'client_credentials' | 'jwt-bearer' | 'refresh_token' | 'authorization_code' | 'soap';

export interface Session {
  readonly accessToken: string;
  readonly user: SandboxUser;
  readonly clientId: string | undefined;
  readonly grant: GrantType;
  readonly issuedAt: number;
}

interface RefreshGrant {
  readonly user: SandboxUser;
  readonly clientId: string;
}

/**
 * Issued access tokens (`00D…!…`, the real shape) and refresh tokens. A token stays valid until it
 * is idle for `idleTimeoutMs` (Salesforce's default session timeout is 2 hours) or every session is
 * invalidated; a freshly issued token is always accepted.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, { session: Session; lastUsed: number }>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, RefreshGrant & { readonly redirectUri: string }>();

  constructor(
    private readonly orgId: string,
    private readonly idleTimeoutMs: number,
  ) {}

  issue(user: SandboxUser, clientId: string | undefined, grant: GrantType, now = Date.now()): Session {
    const accessToken = `${this.orgId.slice(0, 15)}!AQ${randomBytes(48).toString('base64url')}`;
    const session: Session = { accessToken, user, clientId, grant, issuedAt: now };
    this.sessions.set(accessToken, { session, lastUsed: now });
    return session;
  }

  /** The live session of a token (and marks it used), or undefined for unknown / expired tokens. */
  verify(token: string, now = Date.now()): Session | undefined {
    const entry = this.sessions.get(token);
    if (!entry) return undefined;
    if (now - entry.lastUsed > this.idleTimeoutMs) {
      this.sessions.delete(token);
      return undefined;
    }
    entry.lastUsed = now;
    return entry.session;
  }

  revoke(token: string): boolean {
    const refresh = this.refreshTokens.delete(token);
    return this.sessions.delete(token) || refresh;
  }

  invalidateAll(): void {
    this.sessions.clear();
  }

  get activeCount(): number {
    return this.sessions.size;
  }

  issueRefreshToken(user: SandboxUser, clientId: string): string {
    const token = `5Aep861${randomBytes(40).toString('base64url')}`;
    this.refreshTokens.set(token, { user, clientId });
    return token;
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.refreshTokens.get(token);
  }

  issueCode(user: SandboxUser, clientId: string, redirectUri: string): string {
    const code = `aPrx${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { user, clientId, redirectUri });
    return code;
  }

  /** Authorization codes are single-use. */
  redeemCode(code: string): (RefreshGrant & { readonly redirectUri: string }) | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    return grant;
  }
}
