import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './libs/db/src/schema/sqlite.schema.ts',
  out: './libs/db/drizzle/sqlite',
});
