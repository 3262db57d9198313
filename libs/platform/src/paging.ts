import { invalidArgument } from './errors';

/** Opaque keyset cursors: base64url JSON, so clients cannot depend on their shape. */
export const pageToken = {
  encode(position: unknown): string {
    return Buffer.from(JSON.stringify(position)).toString('base64url');
  },
  decode<T>(token: string, isValid: (value: unknown) => value is T): T | undefined {
    if (token === '') return undefined;
    try {
      const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
      if (isValid(value)) return value;
    } catch {
      // fall through to the error below
    }
    throw invalidArgument([{ field: 'page_token', description: 'malformed; pass next_page_token from a previous response' }]);
  },
};
