/**
 * The order's state machine, in one place: order-service enforces it, the
 * saga drives it, the gateway shows it. Hand-written over the generated
 * OrderStatus enum. Workflow code imports it, so it stays deterministic (no
 * Node imports) and imports the generated code as types only, which keeps
 * the protobuf runtime out of the workflow bundle.
 */
import type { OrderStatus } from './gen/oms/order/v1/order_pb';
import type { OrderProgress, Step } from './workflows/order-workflow';

/** A status by its enum name (`UNSPECIFIED` is not a status an order can be in). */
export type StatusName = Exclude<keyof typeof OrderStatus, 'UNSPECIFIED'>;

/** Where an order may go from each status. */
export const transitions: Readonly<Record<StatusName, readonly StatusName[]>> = {
  PENDING: ['VALIDATED', 'CANCELLING'],
  VALIDATED: ['RESERVED', 'AWAITING_CUSTOMER', 'CANCELLING'],
  RESERVED: ['PAID', 'CANCELLING'],
  PAID: ['SHIPPING', 'CANCELLING'],
  SHIPPING: ['COMPLETED', 'CANCELLING'],
  COMPLETED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLING: ['CANCELLED'],
  CANCELLED: [],
  // Stock was short: the customer amends the order (back to VALIDATED) or cancels it.
  AWAITING_CUSTOMER: ['VALIDATED', 'CANCELLING'],
};

/** Every status, in the enum's order: the wire number of `statuses[i]` is i + 1 (order-lifecycle.test.ts checks it). */
export const statuses = Object.keys(transitions) as [StatusName, ...StatusName[]];

export const canMove = (from: StatusName, to: StatusName): boolean => transitions[from].includes(to);

/** The wire enum's name for a status, or undefined for UNSPECIFIED and unknown numbers. */
export const statusName = (status: OrderStatus): StatusName | undefined => statuses[status - 1];

/** The status moves the saga's forward steps make, each from the status the step before left. */
export const sagaMoves = {
  validate: { from: 'PENDING', to: 'VALIDATED' },
  'reserve stock': { from: 'VALIDATED', to: 'RESERVED' },
  'charge payment': { from: 'RESERVED', to: 'PAID' },
  'commit stock': { from: 'PAID', to: 'SHIPPING' },
  complete: { from: 'SHIPPING', to: 'COMPLETED' },
} as const satisfies Partial<Record<Step, { from: StatusName; to: StatusName }>>;

export type SagaMove = keyof typeof sagaMoves;

/** A customer may cancel until shipping is arranged (the parcel is then on its way) and while the saga has no outcome. */
export const canCancel = (progress: Pick<OrderProgress, 'outcome' | 'stepsDone'>): boolean =>
  !progress.outcome && !progress.stepsDone.includes('arrange shipping');
