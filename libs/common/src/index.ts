export {
  causes,
  DependencyUnavailableError,
  describeError,
  type ErrorLike,
  DomainError,
  InvalidRequestError,
  SchemaRefusal,
} from './errors.js';
export { type ErrorCode, type Problem, problemAnswer, type ProblemAnswer, toProblem } from './problem.js';
export { findUp } from './find-up.js';
export { userIdIn } from './request-body.js';
export { hasControlCharacters, NO_CONTROL_CHARACTERS } from './text.js';
export {
  describe,
  id,
  integer,
  list,
  matching,
  parseOrRefuse,
  pathOf,
  refusal,
  type StepLabel,
  strictObject,
  type Subject,
  text,
  unknownMembers,
} from './validation.js';
