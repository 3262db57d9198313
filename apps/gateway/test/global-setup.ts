import { appDir, prepareTemplate, services } from '@oms/testing';

export default async function setup(): Promise<void> {
  await Promise.all(services.map((s) => prepareTemplate(appDir(s.app), s.database)));
}
