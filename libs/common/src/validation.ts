import { z } from 'zod';
import { SchemaRefusal } from './errors.js';
import { NO_CONTROL_CHARACTERS } from './text.js';

/**
 * The one way requests are validated: zod schemas (HTTP bodies and queries through the API's
 * validation pipe, socket messages in the gateway), whose first issue becomes a 400 problem
 * `detail` that names the offending item: `sections[0].rows[2] ("B").seats[0] must be …`.
 *
 * Messages of the building blocks below are written to follow the item's path; an issue whose
 * message is already a whole sentence carries `params: { whole: true }`.
 */

/** A value as quoted in a refusal: JSON, cut at 40 characters. */
export function describe(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

const got = (input: unknown) => `(got ${describe(input)})`;

/** `has unknown property "colour"`: a refusal of members that are not in a strict object. */
export const unknownMembers = (keys: readonly string[]): string =>
  `has unknown propert${keys.length === 1 ? 'y' : 'ies'} ${keys
    .slice(0, 3)
    .map((key) => describe(key.slice(0, 40)))
    .join(', ')}`;

/** An object with exactly these members: any other is refused by name. */
export const strictObject = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return 'must be an object';
      return unknownMembers(issue.keys);
    },
  });

/** A list of `min` to `max` items. */
export const list = <Item extends z.ZodType>(item: Item, min: number, max: number) =>
  z
    .array(item, { error: 'must be an array' })
    .min(min, { error: `must have at least ${min} item${min === 1 ? '' : 's'}` })
    .max(max, { error: `may have at most ${max} items` });

/** An integer from `min` to `max` (a fraction, NaN or text is refused with what was sent). */
export const integer = (min: number, max: number) => {
  const error = (issue: { input?: unknown }) => `must be an integer from ${min} to ${max} ${got(issue.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** Text matching `pattern`, described as `what` in the refusal. */
export const matching = (pattern: RegExp, what: string) => {
  const error = (issue: { input?: unknown }) => `must be ${what} ${got(issue.input)}`;
  return z.string({ error }).regex(pattern, { error });
};

/** Non-blank text of at most `maxLength` characters, without control characters. */
export const text = (maxLength: number) =>
  z
    .string({ error: 'must be a non-empty string' })
    .max(maxLength, { error: `may be at most ${maxLength} characters`, abort: true })
    .refine((value) => value.trim().length > 0, { error: 'must be a non-empty string', abort: true })
    .regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' });

/** An id of the API (a show, a seat, a booking, a user): 1 to `maxLength` characters without control characters. */
export const id = (maxLength = 128) =>
  z
    .string({ error: `must be 1 to ${maxLength} characters of text` })
    .min(1, { error: `must be 1 to ${maxLength} characters of text` })
    .max(maxLength, { error: `must be 1 to ${maxLength} characters of text` })
    .regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' });

/** Names a step of a path beyond its key, e.g. a row's label: `rows[2]` → `rows[2] ("B")`. */
export type StepLabel = (path: readonly PropertyKey[], value: unknown) => string | undefined;

/** `sections[0].rows[2] ("B").seats[0]`: the path of an issue, as the request's author wrote it. */
export function pathOf(path: readonly PropertyKey[], input: unknown, label?: StepLabel): string {
  let text = '';
  let value = input;
  path.forEach((key, i) => {
    text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    const name = label?.(path.slice(0, i + 1), value);
    if (name) text += ` (${name})`;
  });
  return text;
}

/**
 * The issue to report: the first, looking into a union at the one option that had the input's
 * type (a number given for "a count or a list of labels" is judged as a count).
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const [issue] = issues;
  if (issue.code !== 'invalid_union') return issue;
  const typed = issue.errors.filter((option) => !option.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
  if (typed.length !== 1 || typed[0].length === 0) return issue;
  const inner = firstIssue(typed[0]);
  return { ...inner, path: [...issue.path, ...inner.path] };
}

export interface Subject {
  /** What the root is called in a refusal: "The show", "The request body". */
  subject: string;
  /** Appended to every refusal, e.g. "Nothing was changed." */
  suffix?: string;
  label?: StepLabel;
}

/** The refusal of `input` by `error`, as one sentence naming the offending item. */
export function refusal(error: z.ZodError, input: unknown, { subject, suffix, label }: Subject): string {
  const issue = firstIssue(error.issues);
  const whole = (issue as { params?: { whole?: boolean } }).params?.whole === true;
  const sentence = whole ? issue.message : `${issue.path.length > 0 ? pathOf(issue.path, input, label) : subject} ${issue.message}`;
  return suffix ? `${sentence}. ${suffix}` : `${sentence}.`;
}

/** `schema.parse(input)`, refusing with a 400 problem ({@link refusal}) instead of a ZodError. */
export function parseOrRefuse<Schema extends z.ZodType>(schema: Schema, input: unknown, subject: Subject): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SchemaRefusal(refusal(result.error, input, subject));
  return result.data;
}
