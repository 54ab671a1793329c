import { DependencyUnavailableError, DomainError, InvalidRequestError } from './errors.js';
import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { problemAnswer, toProblem } from './problem.js';

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

describe(problemAnswer.name, () => {
  const request = (id: string, originalUrl: string) => ({ id, originalUrl });

  it('is the problem document and its JSON, made once per error and request', () => {
    const error = new ShowNotFound('no such show');
    const first = request('req-1', '/api/seats/hold-bulk');
    const answer = problemAnswer(error, first);
    expect(answer.problem).toMatchObject({ status: 404, requestId: 'req-1', instance: '/api/seats/hold-bulk' });
    expect(JSON.parse(answer.body)).toEqual(answer.problem);
    expect(problemAnswer(error, first)).toBe(answer);
  });

  it('answers another request failing with the same error object with its own id and path', () => {
    const error = new ShowNotFound('no such show');
    problemAnswer(error, request('req-1', '/api/seats/hold-bulk'));
    const second = problemAnswer(error, request('req-2', '/api/seats/book'));
    expect(second.problem).toMatchObject({ requestId: 'req-2', instance: '/api/seats/book' });
  });

  it('answers what is thrown that is not an object', () => {
    expect(problemAnswer('a string', request('req-3', '/x')).problem).toMatchObject({ status: 500, requestId: 'req-3' });
  });
});
