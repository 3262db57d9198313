/**
 * OMS's predefined rules (proto/oms/common/v1/rules.proto) in JSON Schema,
 * for what validates JSON instead of protobuf (the gateway). A JSON Schema
 * validator cannot run CEL, so each rule is said here once more, with the
 * message its CEL gives; libs/platform/test/rule-patterns.test.ts checks
 * that the two agree on samples. Keyed by the rule's full name.
 */
export interface RulePattern {
  readonly pattern: string;
  /** The CEL rule's own message, so a client reads the same words whoever refuses. */
  readonly message: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

const control = '\\x00-\\x1f\\x7f';

export const rulePatterns: Readonly<Record<string, RulePattern>> = {
  // Only the digits: that a 19-digit id fits int64 stays with the service (a pattern for it is unreadable).
  'oms.common.v1.id': { pattern: '^[1-9][0-9]{0,18}$', message: 'must be a positive 64-bit integer in decimal, e.g. "42"' },
  'oms.common.v1.sku': {
    pattern: '^[A-Z0-9][A-Z0-9._-]{0,63}$',
    message: 'must be 1 to 64 upper-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  },
  'oms.common.v1.text': { pattern: `^[^${control}]*$`, message: 'must not contain control characters' },
  // RE2's [[:space:]] is ASCII only: [\t\n\v\f\r ], not JavaScript's \s.
  'oms.common.v1.required_text': { pattern: '[^\\t\\n\\v\\f\\r ]', message: 'is required' },
  // Without control characters the only space left is " ": spaces, then one other character, then any but controls.
  'oms.common.v1.idempotency_key': {
    pattern: `^ *[^${control} ][^${control}]*$`,
    message: 'must be 1 to 200 characters, not blank, without control characters',
    minLength: 1,
    maxLength: 200,
  },
};
