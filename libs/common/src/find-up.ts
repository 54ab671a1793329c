import { existsSync } from 'node:fs';

/**
 * `relative` (a file or folder of this checkout) in `from` or the nearest folder above it, so
 * code finds it whether it runs from source or from dist/. Undefined when no folder has it.
 */
export function findUp(from: URL, relative: string): URL | undefined {
  for (let dir = from; ; dir = new URL('..', dir)) {
    const candidate = new URL(relative, dir);
    if (existsSync(candidate)) return candidate;
    if (dir.pathname === '/') return undefined;
  }
}
