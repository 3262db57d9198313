import type { Logger } from '@oms/platform';
import { describe, expect, it } from 'vitest';
import { temporalLogger } from '../src/telemetry';

describe('temporalLogger', () => {
  it("names the trace of a workflow's or activity's log line as every OMS line does (traceId, spanId)", () => {
    const lines: Record<string, unknown>[] = [];
    const write = (fields: object, msg: string) => void lines.push({ ...fields, msg });
    const logger = { warn: write, info: write } as unknown as Logger;
    const log = temporalLogger(logger);
    log.warn('order cancelled, compensating', { orderId: '42', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), trace_flags: '01' });
    log.info('untraced', { orderId: '43' });
    expect(lines[0]).toMatchObject({ msg: 'order cancelled, compensating', orderId: '42', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('trace_flags');
    expect(lines[1]).toMatchObject({ msg: 'untraced', orderId: '43' });
    expect(lines[1]).not.toHaveProperty('traceId');
  });
});
