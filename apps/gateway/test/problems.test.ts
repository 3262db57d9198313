/** How service errors reach HTTP clients: a fault a retry can outlive is 503, never a 4xx a client would give up on. */
import { Code, ConnectError } from '@connectrpc/connect';
import { invalidArgument } from '@oms/platform';
import { describe, expect, it } from 'vitest';
import { toProblem } from '../src/problems';

describe('toProblem', () => {
  it.each([
    [Code.Unavailable, 'connect ECONNREFUSED'],
    [Code.DeadlineExceeded, 'the operation timed out'],
    // connect-node reports a connection reset mid-call (a service killed) as ABORTED.
    [Code.Aborted, 'read ECONNRESET'],
  ])('answers a transient %s with 503', (code, message) => {
    const { problem, logAs } = toProblem(new ConnectError(message, code));
    expect(problem).toMatchObject({ status: 503, type: 'urn:oms:problem:unavailable' });
    expect(logAs).toBe('warn');
  });

  it('keeps a business refusal a 409 with the service’s words', () => {
    const { problem } = toProblem(new ConnectError('insufficient stock for sku MUG-1', Code.FailedPrecondition));
    expect(problem).toMatchObject({ status: 409, detail: 'insufficient stock for sku MUG-1' });
  });

  it('names the fields from the BadRequest details, never from the message text', () => {
    const error = invalidArgument([
      { field: 'lines[1].quantity', description: 'must be greater than 0; really' },
      { field: 'shipping_address.postal_code', description: 'is required' },
    ]);
    const { problem } = toProblem(error);
    expect(problem).toMatchObject({ status: 400 });
    expect(problem.errors).toEqual([
      { field: '/lines/1/quantity', message: 'must be greater than 0; really' },
      { field: '/shippingAddress/postalCode', message: 'is required' },
    ]);
  });
});
