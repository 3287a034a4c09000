// drizzle-kit settings: `npm run db:generate -w @clickstream/warehouse` diffs src/schema against the
// last snapshot and writes the next SQL migration into migrations/ (checked in, applied by migrate()).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
});
