/** Inventory rules, free of I/O. */
import type { Line } from '@oms/contracts/common/v1';
import { refuse, type Refusal } from '@oms/db';

/** Why the lines cannot be reserved from this stock, or nothing when they can. */
export function shortfall(lines: Line[], available: Map<string, number>): Refusal | undefined {
  for (const line of lines) {
    const units = available.get(line.sku);
    if (units === undefined) return refuse(`unknown sku ${line.sku}`, { reason: 'UNKNOWN_SKU', metadata: { sku: line.sku } });
    if (units < line.quantity) {
      return refuse(`insufficient stock for sku ${line.sku}: ${units} available, ${line.quantity} requested`, {
        reason: 'INSUFFICIENT_STOCK',
        metadata: { sku: line.sku, available: String(units), requested: String(line.quantity) },
      });
    }
  }
  return undefined;
}

/** Removing stock may not take more than is available. */
export function adjustmentRefusal(sku: string, available: number, delta: number): Refusal | undefined {
  return available + delta < 0
    ? refuse(`insufficient stock for sku ${sku}: cannot remove ${-delta}, ${available} available`, {
        reason: 'INSUFFICIENT_STOCK',
        metadata: { sku, available: String(available), requested: String(-delta) },
      })
    : undefined;
}
