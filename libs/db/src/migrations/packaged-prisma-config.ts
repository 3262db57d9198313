/**
 * A service image's dist/prisma.config.js (bundled by scripts/build-app.ts):
 * the package's prisma/ folder, which holds the shared models already, so
 * nothing is copied into the read-only image. DATABASE_URL is always set by
 * dist/migrate.js.
 */
import { fileURLToPath } from 'node:url';
import { migrationConfig } from './prisma-config';

export default migrationConfig(fileURLToPath(new URL('../prisma', import.meta.url)), 'postgres');
