import { APP_CONFIG, type AppConfig } from '@app/config';
import { DomainError } from '@app/common';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** No valid Bearer token on a write while authentication is on. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** A valid token whose subject is not the `userId` the request acts for. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/**
 * Optional authentication of writes. With `AUTH_JWT_SECRET` (HS256) or `AUTH_JWKS_URL` set, a
 * write needs `Authorization: Bearer <JWT>` whose `sub` equals the body's `userId`: nobody can
 * hold, book or release in another's name, nor replay another's stored idempotent responses
 * (keys are scoped by `userId`). Without either variable every write is allowed (dev mode).
 */
@Injectable()
export class WriteAuthGuard implements CanActivate {
  private readonly key?: Uint8Array | JWTVerifyGetKey;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const auth = config.auth;
    if (auth?.kind === 'secret') this.key = new TextEncoder().encode(auth.secret);
    if (auth?.kind === 'jwks') this.key = createRemoteJWKSet(new URL(auth.url), { cacheMaxAge: 10 * 60_000 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.key) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthenticatedError('Writes need an Authorization: Bearer token.');
    }
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(token, this.key as Uint8Array, this.key instanceof Uint8Array ? { algorithms: ['HS256'] } : {});
      subject = payload.sub;
    } catch {
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new UnauthenticatedError('The Bearer token is invalid or expired.');
    }
    const userId: unknown = request.body?.userId;
    if (typeof userId === 'string' && subject !== userId) {
      throw new ForbiddenError("The token's subject may act only for its own userId.");
    }
    return true;
  }
}
