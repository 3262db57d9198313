import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startTelemetry, tracesEndpoint } from '../src/telemetry';

describe('telemetry', () => {
  it('is off unless an OTLP endpoint is named, and off when the SDK is disabled', () => {
    expect(tracesEndpoint({})).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    const telemetry = startTelemetry('test', {}, () => {
      throw new Error('instrumentations are made only when tracing is on');
    });
    // Nothing was started: spans stay the API's no-ops.
    expect(trace.getTracer('test').startSpan('nothing').isRecording()).toBe(false);
    expect(telemetry.resource.attributes).toEqual({});
  });

  it('sends traces to <endpoint>/v1/traces, or to the traces endpoint when one is given', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/t' })).toBe('http://b:4318/t');
  });
});
