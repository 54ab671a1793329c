/** The `userId` a write's body names, before validation (so: anything, or undefined). */
export function userIdIn(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { userId?: unknown }).userId : undefined;
}
