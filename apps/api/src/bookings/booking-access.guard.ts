import { BookingsService } from '@app/booking';
import { InvalidRequestError, userIdIn } from '@app/common';
import { setIdempotencyScope } from '@app/idempotency';
import { Callers, ForbiddenError } from '@app/security';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isId } from '../seats/seats-request.dto.js';

/**
 * Who may read or cancel a booking. Without JWT authentication anyone may read (booking ids are
 * unguessable) and the body's `userId` must be the owner to cancel; with it, only the owner (the
 * token's `sub`) or the admin token. The admin token may cancel any booking, and its
 * Idempotency-Keys are then the owner's.
 */
@Injectable()
export class BookingAccessGuard implements CanActivate {
  constructor(
    private readonly callers: Callers,
    private readonly bookings: BookingsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const caller = await this.callers.resolve(request, response);
    const bookingId = request.params.bookingId;
    if (bookingId === undefined) {
      // The list: validation of the query follows; a malformed userId is a 400 there.
      const userId = request.query.userId;
      if (typeof userId === 'string') this.callers.requireActingFor(caller, userId, response);
      return true;
    }
    if (!isId(bookingId)) return true; // the path pipe answers 400
    const owner = await this.bookings.ownerOf(bookingId);
    if (request.method === 'GET') {
      this.callers.requireActingFor(caller, owner, response);
      return true;
    }
    const userId = userIdIn(request.body);
    if (caller.kind === 'admin') {
      if (userId !== undefined && userId !== owner)
        throw new ForbiddenError(`Booking "${bookingId}" is not ${typeof userId === 'string' ? userId : JSON.stringify(userId)}'s.`);
      setIdempotencyScope(request, owner);
      return true;
    }
    if (userId === undefined) throw new InvalidRequestError('userId is required (only the admin token may leave it out).');
    if (typeof userId !== 'string') return true; // validation answers 400
    this.callers.requireActingFor(caller, userId, response);
    if (userId !== owner) throw new ForbiddenError("This booking is someone else's.");
    return true;
  }
}
