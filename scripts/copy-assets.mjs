// Copies what tsc does not emit (Lua scripts, SQL migrations) next to the compiled libraries.
import { cpSync, readdirSync } from 'node:fs';

for (const lib of readdirSync('libs')) {
  cpSync(`libs/${lib}`, `dist/libs/${lib}`, {
    recursive: true,
    filter: (source) => !source.endsWith('.ts') && !source.includes('/test/'),
  });
}
