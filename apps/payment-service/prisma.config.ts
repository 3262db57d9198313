import { servicePrismaConfig } from '@oms/db/prisma-config';

export default servicePrismaConfig(import.meta.dirname, 'oms_payment');
