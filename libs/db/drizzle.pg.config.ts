import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './libs/db/src/schema/pg.schema.ts',
  out: './libs/db/drizzle/pg',
});
