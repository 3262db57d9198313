/** payment-service's business metrics (every RPC's rate, errors and duration come from @oms/platform). */
import { Counter, Gauge, type Registry } from 'prom-client';

export function paymentMetrics(registry: Registry) {
  return {
    providerCharges: new Counter({
      name: 'payment_provider_charges_total',
      help: 'Charges sent to the card provider, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    /** Reports the card provider's circuit breaker, read at each scrape. */
    watchProviderCircuit(state: () => number): void {
      new Gauge({
        name: 'payment_provider_circuit_state',
        help: 'Card provider circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated',
        registers: [registry],
        collect() {
          this.set(state());
        },
      });
    },
  };
}

export type PaymentMetrics = ReturnType<typeof paymentMetrics>;
