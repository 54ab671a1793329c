export { DependencyUnavailableError, describeError, DomainError, InvalidRequestError } from './errors.js';
export { type Problem, requestIdOf, toProblem } from './problem.js';
export { findUp } from './find-up.js';
