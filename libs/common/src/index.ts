export { DependencyUnavailableError, describeError, DomainError, InvalidRequestError } from './errors.js';
export { type Problem, toProblem } from './problem.js';
