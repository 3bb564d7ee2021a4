import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { SchemaIssue } from '../errors/ToolInputError.js';

/** A validated value, or every issue the schema found. */
export type SchemaResult<T> = { value: T; issues?: undefined } | { issues: SchemaIssue[] };

/**
 * Validates `value` with any Standard Schema validator (zod, valibot, arktype...). Returns synchronously
 * when the validator does, so the common case costs no promise.
 */
export function validateSchema<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
): SchemaResult<StandardSchemaV1.InferOutput<S>> | Promise<SchemaResult<StandardSchemaV1.InferOutput<S>>> {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = schema['~standard'].validate(value);
  } catch (error) {
    return { issues: [{ message: `the validator threw: ${error instanceof Error ? error.message : String(error)}`, path: [] }] };
  }
  if (result instanceof Promise) return result.then(toSchemaResult<StandardSchemaV1.InferOutput<S>>);
  return toSchemaResult(result);
}

function toSchemaResult<T>(result: StandardSchemaV1.Result<unknown>): SchemaResult<T> {
  // A success already has the shape of ours: hand it on rather than copy it, once per call.
  if (result.issues === undefined) return result as SchemaResult<T>;
  return {
    issues: result.issues.map((issue) => ({
      message: issue.message,
      path: (issue.path ?? []).map((segment) =>
        typeof segment === 'object' && segment !== null ? (segment.key as string | number) : (segment as string | number),
      ),
    })),
  };
}

/** Whether `value` looks like a Standard Schema validator. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'
  );
}
