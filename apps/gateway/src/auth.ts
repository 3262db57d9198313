/**
 * Bearer JWTs (@oms/platform/tokens), checked once per request, before rate
 * limiting (so the limit is per customer); routes then require a caller or a role.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyToken, type Principal } from '@oms/platform/tokens';
import { forbidden, unauthorized } from './problems';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Why the bearer token was refused, when one was sent. */
    authProblem?: string;
  }
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
