import { userIdIn } from '@app/common';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Callers } from './callers.js';

/**
 * Optional authentication of buyers' writes. With `AUTH_JWT_SECRET` (HS256) or `AUTH_JWKS_URL` set, a
 * write needs `Authorization: Bearer <JWT>` whose `sub` equals the body's `userId`: nobody can
 * hold, book or release in another's name, nor replay another's stored idempotent responses
 * (keys are scoped by `userId`). Without either variable every write is allowed (dev mode).
 */
@Injectable()
export class WriteAuthGuard implements CanActivate {
  constructor(private readonly callers: Callers) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.callers.authenticationOn) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const caller = await this.callers.resolve(request, response);
    // The admin token is for the admin endpoints and bookings; buyers' writes need a user.
    if (caller.kind !== 'user') throw this.callers.unauthenticated(response, 'Writes need an Authorization: Bearer token.');
    const userId = userIdIn(request.body);
    if (typeof userId === 'string') this.callers.requireActingFor(caller, userId, response);
    return true;
  }
}

/** The admin endpoints: `Authorization: Bearer <ADMIN_TOKEN>` or a 401 with `WWW-Authenticate: Bearer`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly callers: Callers) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (this.callers.isAdmin(request)) return true;
    throw this.callers.unauthenticated(
      context.switchToHttp().getResponse<Response>(),
      'Admin endpoints need Authorization: Bearer <ADMIN_TOKEN>.',
    );
  }
}
