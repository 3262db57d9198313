/**
 * Every error leaves the gateway as RFC 9457 application/problem+json, so
 * clients handle one shape: Fastify's validation errors (naming each field),
 * gRPC codes from the services, Temporal's "no such workflow", and the HTTP
 * statuses the gateway itself answers (401, 403, 404, 409, 413, 429).
 */
import { STATUS_CODES } from 'node:http';
import { Code, ConnectError } from '@connectrpc/connect';
import { ruleMessage } from '@oms/contracts/json-rules';
import { BadRequestSchema } from '@oms/contracts/rpc';
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** A problem the gateway raises on purpose; the error handler sends it as it is. */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

export const unauthorized = (detail: string) => new Problem(401, 'unauthorized', detail);
export const forbidden = (detail: string) => new Problem(403, 'forbidden', detail);
export const notFound = (detail: string) => new Problem(404, 'not-found', detail);
export const conflict = (detail: string) => new Problem(409, 'conflict', detail);

const problemType = (slug: string) => `urn:oms:problem:${slug}`;

function body(status: number, slug: string, detail: string, errors?: FieldError[]): Omit<ProblemBody, 'instance'> {
  return { type: problemType(slug), title: STATUS_CODES[status] ?? 'Error', status, detail, ...(errors?.length ? { errors } : {}) };
}

interface AjvError {
  instancePath: string;
  message?: string;
  params: { missingProperty?: string; additionalProperty?: string; pattern?: string };
}

/** One entry per failed rule: the field as a JSON pointer into the body, or the header/parameter's name. */
function fieldErrors(validation: AjvError[], part: string): FieldError[] {
  return validation.map((e) => {
    const extra = e.params.missingProperty ?? e.params.additionalProperty;
    const pointer = extra === undefined ? e.instancePath : `${e.instancePath}/${extra}`;
    const message =
      e.params.additionalProperty !== undefined
        ? 'is not allowed'
        : e.params.missingProperty !== undefined
          ? 'is required'
          : (ruleMessage(e.params.pattern) ?? e.message ?? 'is invalid');
    return { field: part === 'body' ? pointer || '/' : pointer.replace(/^\//, '') || part, message };
  });
}

/** A service's field path ("lines[0].unit_price") as a pointer into the JSON body ("/lines/0/unitPrice"). */
const bodyPointer = (field: string) =>
  '/' +
  field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map((part) => part.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))
    .join('/');

/** The service's field violations (google.rpc.BadRequest), each field as a pointer into the JSON body. */
const rpcFieldErrors = (error: ConnectError): FieldError[] =>
  error.findDetails(BadRequestSchema).flatMap((bad) => bad.fieldViolations.map((v) => ({ field: bodyPointer(v.field), message: v.description })));

const rpcStatus: Partial<Record<Code, [number, string]>> = {
  [Code.InvalidArgument]: [400, 'invalid-argument'],
  [Code.NotFound]: [404, 'not-found'],
  [Code.FailedPrecondition]: [409, 'refused'],
  [Code.AlreadyExists]: [409, 'idempotency-key-reused'],
  // A lost race or a connection reset mid-call (connect-node says ABORTED): retrying helps, so not a 409.
  [Code.Aborted]: [503, 'unavailable'],
  [Code.Unavailable]: [503, 'unavailable'],
  [Code.DeadlineExceeded]: [503, 'unavailable'],
};

const grpcUnavailable = 14;

/** The problem for any error; undefined `logAs` means an expected client error not worth more than debug. */
export function toProblem(error: unknown): { problem: Omit<ProblemBody, 'instance'>; logAs?: 'warn' | 'error' } {
  if (error instanceof Problem) return { problem: body(error.status, error.slug, error.message, error.errors) };
  if (error instanceof ConnectError) {
    const mapped = rpcStatus[error.code];
    if (!mapped) return { problem: body(500, 'internal', 'the request could not be completed'), logAs: 'error' };
    const [status, slug] = mapped;
    const errors = error.code === Code.InvalidArgument ? rpcFieldErrors(error) : undefined;
    // 503s say what is down without the upstream's words; client errors carry the service's readable reason.
    const detail = status === 503 ? 'a service the gateway depends on is unavailable; retry later' : error.rawMessage;
    return { problem: body(status, slug, detail, errors), logAs: status === 503 ? 'warn' : undefined };
  }
  if (error instanceof WorkflowNotFoundError) return { problem: body(404, 'not-found', 'no workflow for this order') };
  // An Update not answered by its deadline: the workflow's worker is down or behind. The server keeps it, so it may still be carried out.
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return { problem: body(503, 'unavailable', 'the order did not answer in time; the request may still take effect, check before retrying'), logAs: 'warn' };
  }
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if ([error, cause].some((e) => isGrpcServiceError(e) && e.code === grpcUnavailable)) {
    return { problem: body(503, 'unavailable', 'the workflow engine is unavailable; retry later'), logAs: 'warn' };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError.validation, fastifyError.validationContext ?? 'body');
    const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
    return { problem: body(400, 'validation', detail, errors) };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's and plugins' own client errors (413 body too large, 415, 429, malformed JSON) have safe messages.
    const slug = status === 413 ? 'body-too-large' : status === 429 ? 'rate-limited' : 'bad-request';
    return { problem: body(status, slug, fastifyError.message ?? STATUS_CODES[status] ?? 'bad request') };
  }
  return { problem: body(500, 'internal', 'the request could not be completed'), logAs: 'error' };
}

function send(reply: FastifyReply, request: FastifyRequest, problem: Omit<ProblemBody, 'instance'>) {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ ...problem, instance: request.url } satisfies ProblemBody);
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { problem, logAs } = toProblem(error);
    if (logAs) request.log[logAs]({ err: error }, 'request failed');
    return send(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) => send(reply, request, body(404, 'not-found', `no route for ${request.method} ${request.url.split('?')[0]}`)));
}
