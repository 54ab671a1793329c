/**
 * Text the service stores (ids, labels, keys, titles, Idempotency-Keys) has no control characters:
 * C0 and DEL. PostgreSQL cannot even store NUL. The one statement of that rule.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

export const hasControlCharacters = (text: string): boolean => !NO_CONTROL_CHARACTERS.test(text);
