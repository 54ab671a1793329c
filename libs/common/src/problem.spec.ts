import { DependencyUnavailableError, DomainError, InvalidRequestError } from './errors.js';
import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { toProblem } from './problem.js';

class SeatConflict extends DomainError {
  readonly code = 'SEAT_CONFLICT';
  constructor(conflicts: unknown[]) {
    super('1 seat unavailable: s1 (HELD). Nothing was changed.');
    this.extensions.conflicts = conflicts;
  }
}

class ShowNotFound extends DomainError {
  readonly code = 'SHOW_NOT_FOUND';
}

describe(toProblem.name, () => {
  it('maps a seat conflict to 409 with its conflicts', () => {
    const problem = toProblem(new SeatConflict([{ seatId: 's1', reason: 'HELD' }]), '/api/seats/hold-bulk');
    expect(problem).toMatchObject({ status: 409, type: '/problems/seat-conflict', conflicts: [{ seatId: 's1', reason: 'HELD' }] });
    expect(problem.detail).toContain('s1 (HELD)');
  });

  it.each([
    [new ShowNotFound('x'), 404],
    [new InvalidRequestError('mixed shows'), 400],
    [new DependencyUnavailableError('redis'), 503],
    [new BadRequestException(['seatIds should not be empty']), 400],
    [Object.assign(new Error('too big'), { status: 413, type: 'entity.too.large', expose: true }), 413],
  ])('maps %s to %i', (error, status) => {
    expect(toProblem(error).status).toBe(status);
  });

  it('hides internals of unexpected errors', () => {
    const problem = toProblem(new Error('relation "seats" does not exist at 10.0.0.3'));
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      instance: undefined,
    });
  });
});
