/**
 * Throwaway databases. Each test project's globalSetup brings the template
 * databases up to date once (`prepareTemplate`, from @oms/devstack); each
 * test file then clones one (`cloneTemplate`, milliseconds) and drops its
 * clone afterwards, so tests never share state and can run again and again,
 * several projects at once.
 */
import { randomBytes } from 'node:crypto';
import { dropDatabase } from '@oms/db/migrations';
import { appDir, copyTemplate, prepareTemplate, services, testCopyPrefix } from '@oms/devstack';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function cloneTemplate(database: string): Promise<TestDatabase> {
  // The pid in the name lets prepareTemplate drop the clones of killed runs.
  const url = await copyTemplate(database, `${testCopyPrefix(database)}${process.pid}_${randomBytes(4).toString('hex')}`);
  return { url, drop: () => dropDatabase(url) };
}

/** The templates of all four services, for the globalSetup of projects that run them all. */
export async function prepareServiceTemplates(): Promise<void> {
  await Promise.all(services.map((s) => prepareTemplate(appDir(s.app), s.database)));
}
