import { create } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { AddressSchema } from '@oms/contracts/common/v1';
import { describe, expect, it } from 'vitest';
import { SimulatedCarrier } from '../src/carrier/simulator/simulated-carrier';

const address = (postalCode: string) => create(AddressSchema, { name: 'Ada', line1: 'Street 1', city: 'Berlin', postalCode, country: 'DE' });

describe('the simulated carrier', () => {
  const carrier = new SimulatedCarrier(200);

  it('refuses postal code 00000 and takes any other', () => {
    const refusal = carrier.refusal(address('00000'));
    expect([refusal?.error.code, refusal?.error.rawMessage]).toEqual([Code.FailedPrecondition, 'carrier cannot deliver to postal code 00000']);
    expect(carrier.refusal(address('10115'))).toBeUndefined();
  });

  it('promises to confirm its setting after the booking', () => {
    expect(carrier.confirmDueAt(new Date(1_000)).getTime()).toBe(1_200);
  });

  it('confirms at the stored due time, whatever its own setting, with one tracking number per shipment', () => {
    const booking = { id: 7n, confirmDueAt: new Date(1_200) };
    expect(carrier.confirmation(booking, new Date(1_199))).toBeUndefined();
    const confirmation = carrier.confirmation(booking, new Date(1_200));
    expect(confirmation).toEqual({ trackingNumber: expect.stringMatching(/^SIM[0-9A-F]{16}$/), confirmedAt: new Date(1_200) });
    expect(new SimulatedCarrier(3_600_000).confirmation(booking, new Date(5_000))).toEqual(confirmation);
    expect(carrier.confirmation({ id: 8n, confirmDueAt: new Date(1_200) }, new Date(5_000))?.trackingNumber).not.toBe(confirmation?.trackingNumber);
    expect(carrier.confirmation({ id: 9n, confirmDueAt: null })).toBeUndefined();
  });
});
