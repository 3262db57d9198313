import { PrismaPg } from '@prisma/adapter-pg';

/** The driver adapter every service's PrismaClient runs on (no Rust engine). */
export function pgAdapter(databaseUrl: string, poolSize = 10): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: poolSize });
}
