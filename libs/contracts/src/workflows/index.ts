/**
 * The orchestrator's Temporal contract, shared by its workflows and by anyone
 * who starts, signals or queries them (the gateway): ids, names, inputs,
 * results. Hand-written (not generated from proto/); workflow code imports
 * it, so it stays deterministic: no Node imports.
 */
export const taskQueue = 'orders';

export * from './order-workflow';
export * from './orphan-orders-workflow';
export * from './reshard-workflow';
export * from './tracking-workflow';
