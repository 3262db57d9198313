/**
 * Bearer JWTs (HS256, issuer "oms"): `sub` is the customer id, `roles` may
 * hold "admin". The token is checked once per request, before rate limiting
 * (so the limit is per customer), and routes then require a caller or a role.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import { forbidden, unauthorized } from './problems';

const issuer = 'oms';
const algorithm = 'HS256';

/** For development only: anything deployed sets GATEWAY_JWT_SECRET. */
export const devJwtSecret = 'dev-only-gateway-jwt-secret-do-not-deploy';

export interface Principal {
  sub: string;
  roles: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Why the bearer token was refused, when one was sent. */
    authProblem?: string;
  }
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

/** Reads the bearer token of every request; refusing is left to the routes that need a caller. */
export function registerAuthentication(app: FastifyInstance, secret: string): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header) return;
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      request.authProblem = 'the Authorization header must be "Bearer <token>"';
      return;
    }
    try {
      request.principal = await verifyToken(secret, token);
    } catch {
      request.authProblem = 'the bearer token is invalid or expired';
    }
  });
}

export async function requireCaller(request: FastifyRequest): Promise<void> {
  if (!request.principal) throw unauthorized(request.authProblem ?? 'a bearer token is required');
}

export async function requireAdmin(request: FastifyRequest): Promise<void> {
  await requireCaller(request);
  if (!request.principal!.roles.includes('admin')) throw forbidden('this needs the admin role');
}

export const isAdmin = (request: FastifyRequest): boolean => request.principal?.roles.includes('admin') ?? false;

/** The authenticated caller (routes guarded by requireCaller only). */
export const caller = (request: FastifyRequest): Principal => request.principal!;
