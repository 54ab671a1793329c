import { APP_CONFIG, type AppConfig } from '@app/config';
import { ForbiddenError, UnauthenticatedError } from './security.errors.js';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { createHash, timingSafeEqual } from 'node:crypto';

/** Who is calling: the admin token, a user proven by a JWT, or nobody in particular. */
export type Caller = { kind: 'admin' } | { kind: 'user'; subject: string } | { kind: 'anonymous' };

const BEARER = /^Bearer (\S+)$/;
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Tells callers apart from the Authorization header. The admin token (ADMIN_TOKEN) is compared in
 * constant time. JWTs are verified only when authentication is on (AUTH_JWT_SECRET, HS256, or
 * AUTH_JWKS_URL); a token that is present but invalid is a 401, never "anonymous".
 */
@Injectable()
export class Callers {
  private readonly adminDigest?: Buffer;
  private readonly jwtKey?: Uint8Array | JWTVerifyGetKey;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.admin) this.adminDigest = digest(config.admin.token);
    const auth = config.auth;
    if (auth?.kind === 'secret') this.jwtKey = new TextEncoder().encode(auth.secret);
    if (auth?.kind === 'jwks') this.jwtKey = createRemoteJWKSet(new URL(auth.url), { cacheMaxAge: 10 * 60_000 });
  }

  /** True when JWT authentication is configured: users must then prove who they are. */
  get authenticationOn(): boolean {
    return this.jwtKey !== undefined;
  }

  isAdmin(request: Request): boolean {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    return token !== undefined && this.adminDigest !== undefined && timingSafeEqual(digest(token), this.adminDigest);
  }

  async resolve(request: Request, response: Response): Promise<Caller> {
    if (this.isAdmin(request)) return { kind: 'admin' };
    if (!this.jwtKey) return { kind: 'anonymous' };
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return { kind: 'anonymous' };
    try {
      const { payload } = await jwtVerify(
        token,
        this.jwtKey as Uint8Array,
        this.jwtKey instanceof Uint8Array ? { algorithms: ['HS256'] } : {},
      );
      if (typeof payload.sub === 'string') return { kind: 'user', subject: payload.sub };
    } catch {
      // fall through
    }
    response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    throw new UnauthenticatedError('The Bearer token is invalid or expired.');
  }

  /** 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3). */
  unauthenticated(response: Response, message: string): UnauthenticatedError {
    response.setHeader('WWW-Authenticate', 'Bearer');
    return new UnauthenticatedError(message);
  }

  /**
   * May this caller act for `userId`? Admins always; with authentication on, only a user whose
   * token's subject is `userId` (anonymous: 401, anyone else: 403); with it off, anyone.
   */
  requireActingFor(caller: Caller, userId: string, response: Response): void {
    if (caller.kind === 'admin' || !this.authenticationOn) return;
    if (caller.kind === 'anonymous') throw this.unauthenticated(response, 'This needs an Authorization: Bearer token.');
    if (caller.subject !== userId) throw new ForbiddenError("The token's subject may act only for its own userId.");
  }
}
