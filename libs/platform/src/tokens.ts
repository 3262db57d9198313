/**
 * The gateway's bearer tokens: JWTs (HS256, issuer "oms") whose `sub` is the
 * customer id and whose `roles` may hold "admin". The gateway verifies them;
 * the demo, benchmarks and tests mint them, so minting lives here, not in the
 * gateway (`@oms/platform/tokens`, apart from the index so that services do
 * not load jose).
 */
import { jwtVerify, SignJWT } from 'jose';

const issuer = 'oms';
const algorithm = 'HS256';

/** For development only: anything deployed sets GATEWAY_JWT_SECRET. */
export const devJwtSecret = 'dev-only-gateway-jwt-secret-do-not-deploy';

export interface Principal {
  sub: string;
  roles: string[];
}

const key = (secret: string) => new TextEncoder().encode(secret);

export async function mintToken(secret: string, claims: { sub: string; roles?: string[]; ttl?: string }): Promise<string> {
  return new SignJWT({ roles: claims.roles ?? [] })
    .setProtectedHeader({ alg: algorithm })
    .setSubject(claims.sub)
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime(claims.ttl ?? '1h')
    .sign(key(secret));
}

export async function verifyToken(secret: string, token: string): Promise<Principal> {
  const { payload } = await jwtVerify(token, key(secret), { issuer, algorithms: [algorithm] });
  if (!payload.sub) throw new Error('token has no subject');
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { sub: payload.sub, roles };
}
