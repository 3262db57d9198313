/** Inventory rules, free of I/O. */
import type { Line } from '@oms/contracts/common/v1';
import type {
  AdjustStockRequest,
  CreateProductRequest,
  ListProductsRequest,
  ReserveStockRequest,
} from '@oms/contracts/inventory/v1';
import { refuse, type Refusal } from '@oms/db';
import { checkLines, checkMoney, Violations } from '@oms/platform';

const skuPattern = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;
const maxAdjustment = 1_000_000;

export function validateCreateProduct(req: CreateProductRequest): void {
  const v = new Violations();
  v.check(skuPattern.test(req.sku), 'sku', 'must be 1-64 upper-case letters, digits, ".", "_" or "-"');
  v.required(req.name, 'name').check(req.name.length <= 200, 'name', 'must be at most 200 characters');
  checkMoney(v, req.unitPrice, 'unit_price');
  v.check(req.initialStock >= 0, 'initial_stock', 'must not be negative');
  v.throwIfAny();
}

export function validateAdjustStock(req: AdjustStockRequest): void {
  const v = new Violations();
  v.required(req.sku, 'sku');
  v.check(req.delta !== 0, 'delta', 'must not be zero');
  v.check(Math.abs(req.delta) <= maxAdjustment, 'delta', `must be between -${maxAdjustment} and ${maxAdjustment}`);
  v.required(req.reason, 'reason');
  v.throwIfAny();
}

export function validateListProducts(req: ListProductsRequest): void {
  new Violations().check(req.skus.length <= 200, 'skus', 'at most 200 skus at a time').throwIfAny();
}

export function validateReserveStock(req: ReserveStockRequest): void {
  const v = new Violations();
  v.required(req.orderId, 'order_id');
  checkLines(v, req.lines);
  v.throwIfAny();
}

export function validateOrderId(orderId: string): void {
  new Violations().required(orderId, 'order_id').throwIfAny();
}

/** Why the lines cannot be reserved from this stock, or nothing when they can. */
export function shortfall(lines: Line[], available: Map<string, number>): Refusal | undefined {
  for (const line of lines) {
    const units = available.get(line.sku);
    if (units === undefined) return refuse(`unknown sku ${line.sku}`);
    if (units < line.quantity) {
      return refuse(`insufficient stock for sku ${line.sku}: ${units} available, ${line.quantity} requested`);
    }
  }
  return undefined;
}

/** Removing stock may not take more than is available. */
export function adjustmentRefusal(sku: string, available: number, delta: number): Refusal | undefined {
  return available + delta < 0
    ? refuse(`insufficient stock for sku ${sku}: cannot remove ${-delta}, ${available} available`)
    : undefined;
}
