/** The request schemas take their limits from the contract; where the JSON shape differs, they still agree with it. */
import { LineSchema } from '@oms/contracts/common/v1';
import { integerKeywords, stringKeywords } from '@oms/contracts/json-rules';
import { CreateOrderRequestSchema, ListAllOrdersRequestSchema, ListOrdersRequestSchema } from '@oms/contracts/order/v1';
import { describe, expect, it } from 'vitest';
import { AllOrdersQuery, CreateOrderBody, IdempotencyHeaders, Line, ListOrdersQuery } from '../src/schemas';

describe('request schemas', () => {
  it("carry the contract's limits", () => {
    expect(Line.properties.quantity).toMatchObject({ minimum: 1, maximum: 10_000 });
    expect(Line.properties.sku).toMatchObject(stringKeywords(LineSchema.field.sku));
    expect(CreateOrderBody.properties.lines).toMatchObject({ minItems: 1, maxItems: 100 });
  });

  it("admit as query limit (a string) exactly the contract's page sizes from 1", () => {
    const { maximum } = integerKeywords(ListOrdersRequestSchema.field.pageSize);
    const limit = new RegExp(ListOrdersQuery.properties.limit.pattern!);
    const admitted = Array.from({ length: maximum! + 10 }, (_, n) => n).filter((n) => limit.test(String(n)));
    expect(admitted).toEqual(Array.from({ length: maximum! }, (_, n) => n + 1));
    expect(limit.test('01')).toBe(false);
  });

  it("admit as the admin list's pageSize the same page sizes, as the contract's ListAllOrders does", () => {
    expect(AllOrdersQuery.properties.pageSize).toEqual(ListOrdersQuery.properties.limit);
    expect(integerKeywords(ListAllOrdersRequestSchema.field.pageSize)).toEqual(integerKeywords(ListOrdersRequestSchema.field.pageSize));
  });

  it('leave room in the idempotency key for the "<customer id>:" scope of an order', () => {
    const key = IdempotencyHeaders.properties['idempotency-key'];
    const scope = '9223372036854775807:';
    expect(key.maxLength).toBe(160);
    expect(key.maxLength! + scope.length).toBeLessThanOrEqual(stringKeywords(CreateOrderRequestSchema.field.idempotencyKey).maxLength!);
  });
});
