import { prepareTemplate } from '@oms/testing';

export default async function setup(): Promise<void> {
  await prepareTemplate(new URL('..', import.meta.url).pathname, 'oms_payment');
}
