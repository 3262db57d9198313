/** shipping-service's business metrics (every RPC's rate, errors and duration come from @oms/platform). */
import { Counter, type Registry } from 'prom-client';

export function shippingMetrics(registry: Registry) {
  return {
    shipments: new Counter({
      name: 'shipping_shipments_total',
      help: 'Shipments by event: created, cancelled, delivered',
      labelNames: ['event'],
      registers: [registry],
    }),
  };
}

export type ShippingMetrics = ReturnType<typeof shippingMetrics>;
