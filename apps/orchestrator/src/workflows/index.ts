/** The workflow bundle's entry: only deterministic code is reachable from here. */
import { patched } from '@temporalio/workflow';
import { defineOrderWorkflow } from './order-workflow';

export const OrderWorkflow = defineOrderWorkflow(patched);
export { OrderTrackingWorkflow } from './tracking-workflow';
export { ReshardWorkflow } from './reshard-workflow';
export { OrphanOrdersWorkflow } from './orphan-orders-workflow';
