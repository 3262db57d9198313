import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { MigratePg } from '@oms/db/migrate-adapter';

// Prisma Migrate on the JavaScript schema engine (no Rust binary to download).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, 'prisma', 'schema.prisma'),
  adapter: async () => new MigratePg(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/oms_inventory'),
});
