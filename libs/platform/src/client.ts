import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';

/** A client of another OMS service, speaking gRPC over HTTP/2. */
export function serviceClient<S extends DescService>(service: S, baseUrl: string, timeoutMs = 10_000): Client<S> {
  return createClient(service, createGrpcTransport({ baseUrl, defaultTimeoutMs: timeoutMs }));
}
