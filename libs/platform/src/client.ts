import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { tracingClientInterceptor } from './tracing';

/** A client of another OMS service, speaking gRPC over HTTP/2; each call is a CLIENT span, its context sent as traceparent. */
export function serviceClient<S extends DescService>(service: S, baseUrl: string, timeoutMs = 10_000): Client<S> {
  return createClient(service, createGrpcTransport({ baseUrl, defaultTimeoutMs: timeoutMs, interceptors: [tracingClientInterceptor()] }));
}
