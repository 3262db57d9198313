import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client, type Transport } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { tracingClientInterceptor } from './tracing';

/** gRPC over one HTTP/2 connection to another OMS service; each call is a CLIENT span, its context sent as traceparent. */
export function serviceTransport(baseUrl: string, timeoutMs = 10_000): Transport {
  return createGrpcTransport({ baseUrl, defaultTimeoutMs: timeoutMs, interceptors: [tracingClientInterceptor()] });
}

/** A client of another OMS service (see serviceTransport). */
export function serviceClient<S extends DescService>(service: S, baseUrl: string, timeoutMs = 10_000): Client<S> {
  return createClient(service, serviceTransport(baseUrl, timeoutMs));
}
