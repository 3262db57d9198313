/**
 * A field's protovalidate rules as JSON Schema keywords, so that what serves
 * JSON (the gateway's request schemas and OpenAPI document) takes its limits
 * from proto/ and a limit changed there changes the HTTP API too.
 * What JSON Schema cannot say (email, not_in, a sku on one line only, an id
 * within int64) is left to the service, whose refusal names the same field.
 */
import { getExtension, getOption, isFieldSet, type DescField } from '@bufbuild/protobuf';
import { field as fieldRules, type FieldRules, RepeatedRulesSchema, StringRulesSchema } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';
import { file_oms_common_v1_rules } from './gen/oms/common/v1/rules_pb';
import { rulePatterns } from './rule-patterns';

export interface StringKeywords {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Two patterns or more: JSON Schema allows one per schema. */
  allOf?: { pattern: string }[];
  enum?: string[];
}

export interface IntegerKeywords {
  minimum?: number;
  maximum?: number;
}

export interface ItemsKeywords {
  minItems?: number;
  maxItems?: number;
}

type RulesCase = NonNullable<FieldRules['type']['case']>;
type RulesOf<K extends RulesCase> = Extract<FieldRules['type'], { case: K }>['value'];

/** The field's rules of one kind; none is a typo in the caller, not a field without limits. */
function rulesOf<K extends RulesCase>(field: DescField, kind: K): RulesOf<K> {
  const { type } = getOption(field, fieldRules);
  if (type.case !== kind) throw new Error(`${field.parent.typeName}.${field.name} has no ${kind} rules in proto/`);
  return type.value as RulesOf<K>;
}

const predefinedStringRules = file_oms_common_v1_rules.extensions.filter((ext) => ext.extendee.typeName === StringRulesSchema.typeName);

export function stringKeywords(field: DescField): StringKeywords {
  const rules = rulesOf(field, 'string');
  const predefined = predefinedStringRules
    .filter((ext) => getExtension(rules, ext) === true)
    .map((ext) => {
      const rule = rulePatterns[ext.typeName];
      if (!rule) throw new Error(`rule ${ext.typeName} has no JSON Schema in libs/contracts/src/rule-patterns.ts`);
      return rule;
    });
  const patterns = [...(rules.pattern ? [rules.pattern] : []), ...predefined.map((rule) => rule.pattern)];
  const minLengths = [...(isFieldSet(rules, StringRulesSchema.field.minLen) ? [Number(rules.minLen)] : []), ...predefined.flatMap((r) => r.minLength ?? [])];
  const maxLengths = [...(isFieldSet(rules, StringRulesSchema.field.maxLen) ? [Number(rules.maxLen)] : []), ...predefined.flatMap((r) => r.maxLength ?? [])];
  return {
    ...(minLengths.length ? { minLength: Math.max(...minLengths) } : {}),
    ...(maxLengths.length ? { maxLength: Math.min(...maxLengths) } : {}),
    ...(patterns.length === 1 ? { pattern: patterns[0] } : patterns.length > 1 ? { allOf: patterns.map((pattern) => ({ pattern })) } : {}),
    ...(rules.in.length ? { enum: [...rules.in] } : {}),
  };
}

/** gt/lt become inclusive bounds: the field is an integer. */
export function integerKeywords(field: DescField): IntegerKeywords {
  const { greaterThan: low, lessThan: high } = rulesOf(field, 'int32');
  return {
    ...(low.case === 'gte' ? { minimum: low.value } : low.case === 'gt' ? { minimum: low.value + 1 } : {}),
    ...(high.case === 'lte' ? { maximum: high.value } : high.case === 'lt' ? { maximum: high.value - 1 } : {}),
  };
}

export function itemsKeywords(field: DescField): ItemsKeywords {
  const rules = rulesOf(field, 'repeated');
  return {
    ...(isFieldSet(rules, RepeatedRulesSchema.field.minItems) ? { minItems: Number(rules.minItems) } : {}),
    ...(isFieldSet(rules, RepeatedRulesSchema.field.maxItems) ? { maxItems: Number(rules.maxItems) } : {}),
  };
}

const messages = new Map(Object.values(rulePatterns).map((rule) => [rule.pattern, rule.message]));

/** The contract's message for a failed pattern, when the pattern is one of its predefined rules. */
export const ruleMessage = (pattern: string | undefined): string | undefined => (pattern === undefined ? undefined : messages.get(pattern));
