import { appDir, generateSqlTypes, prepareTemplate } from '@oms/devstack';
await prepareTemplate(appDir('order-service'), 'oms_order');
console.log(await generateSqlTypes(appDir('order-service'), 'oms_order'));
