export { DependencyUnavailableError, DomainError, InvalidRequestError } from './errors.js';
