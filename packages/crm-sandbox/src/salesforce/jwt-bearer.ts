import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, importSPKI, importX509, type JWTPayload } from 'jose';
import type { SandboxUser } from './sessions.js';

export interface JwtClient {
  readonly clientId: string;
  readonly publicKeyPem?: string;
}

export type JwtCheck =
  | { readonly ok: true; readonly client: JwtClient; readonly user: SandboxUser }
  | { readonly ok: false; readonly error: string; readonly description: string };

/** How far in the future `exp` may be (Salesforce: the assertion is valid for at most 3 minutes). */
const MAX_EXP_AHEAD_S = 180;
/** Clock skew tolerated on both sides. */
const SKEW_S = 5;

/** A throwaway RSA key pair for tests and demos (PEM: SPKI public key, PKCS#8 private key). */
export function generateJwtKeyPair(): { readonly publicKeyPem: string; readonly privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

const invalid = (description: string, error = 'invalid_grant'): JwtCheck => ({ ok: false, error, description });

/**
 * Checks a JWT bearer assertion as Salesforce does: RS256 signature by the connected app's key,
 * iss = consumer key, sub = username, aud = the login host, exp no more than 3 minutes ahead.
 * A client declared without `publicKeyPem` accepts any well-formed RS256 assertion (sandbox only).
 * Error texts other than the codes are UNCONFIRMED.
 */
export async function verifyJwtAssertion(
  assertion: string,
  clients: readonly JwtClient[],
  users: readonly SandboxUser[],
  audiences: readonly string[],
  nowMs = Date.now(),
): Promise<JwtCheck> {
  let claims: JWTPayload;
  try {
    const header = decodeProtectedHeader(assertion);
    if (header.alg !== 'RS256') return invalid('invalid assertion');
    claims = decodeJwt(assertion);
  } catch {
    return invalid('invalid assertion');
  }
  const parts = assertion.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]{16,}$/.test(parts[2])) return invalid('invalid assertion');
  const client = clients.find((c) => c.clientId === claims.iss);
  if (!client) return invalid('client identifier invalid', 'invalid_client_id');
  if (client.publicKeyPem) {
    try {
      const pem = client.publicKeyPem;
      const key = pem.includes('BEGIN CERTIFICATE') ? await importX509(pem, 'RS256') : await importSPKI(pem, 'RS256');
      await compactVerify(assertion, key, { algorithms: ['RS256'] });
    } catch {
      return invalid('invalid assertion');
    }
  }
  const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud ?? [];
  const allowed = new Set(audiences.map(trimSlash));
  if (!aud.some((a) => allowed.has(trimSlash(a)))) return invalid('audience is invalid');
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number') return invalid('invalid assertion');
  if (claims.exp + SKEW_S < now) return invalid('expired authorization code');
  if (claims.exp > now + MAX_EXP_AHEAD_S + SKEW_S) return invalid('invalid assertion');
  const user = users.find((u) => u.username.toLowerCase() === String(claims.sub ?? '').toLowerCase());
  if (!user) return invalid("user hasn't approved this consumer");
  return { ok: true, client, user };
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
