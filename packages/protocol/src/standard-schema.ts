// The Standard Schema interface (https://standardschema.dev, v1), copied as its authors ask so
// that no dependency is needed: zod 4, zod/mini, valibot and arktype schemas all carry it.
// Also the one way Strands runs a schema (`validate`) and reads its issues (`issuesText`).

/** A schema of any Standard Schema library: its `~standard` property validates and carries types. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- the spec's own shape, kept as is
export declare namespace StandardSchemaV1 {
  /** The `~standard` property. */
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  /** What a caller passes to `schema` (before its transforms). */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  /** What `schema` gives back (after its transforms). */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

/** Runs `schema` on `value`: synchronous for the usual schema, a promise for an async one. */
export function validate(schema: StandardSchemaV1, value: unknown): StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>> {
  return schema['~standard'].validate(value);
}

/** Whether `value` is a Standard Schema (has a `~standard` object with a `validate` function). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: { validate?: unknown } } | null | undefined)?.['~standard'];
  return typeof props === 'object' && props !== null && typeof props.validate === 'function';
}

/** The first issues as `path: message`, joined by `; ` (`root` names an issue without a path). */
export function issuesText(issues: ReadonlyArray<StandardSchemaV1.Issue>, root = '(root)', max = Infinity): string {
  return issues
    .slice(0, max)
    .map((issue) => `${issue.path?.map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || root}: ${issue.message}`)
    .join('; ');
}

/** A schema refused a value; `issues` are the schema's own. */
export class SchemaIssues extends Error {
  override readonly name = 'SchemaIssues';
  constructor(readonly issues: ReadonlyArray<StandardSchemaV1.Issue>) {
    super(issuesText(issues));
  }
}
