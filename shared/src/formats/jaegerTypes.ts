/**
 * The JSON model of a Jaeger trace file, as Jaeger's query API returns it (`/api/traces`) and Jaeger UI
 * loads it through "JSON File" upload (jaegertracing/jaeger `model/json/model.go`, jaeger-ui
 * `src/types/trace.ts`). All times are **microseconds**.
 *
 * @packageDocumentation
 */

/** Type of a tag's value. `binary` values are base64 strings; `int64` values past 2^53 may be decimal strings. */
export type JaegerTagType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

/** A typed key-value pair: a span tag, a log field or a process tag. */
export interface JaegerKeyValue {
  key: string;
  type: JaegerTagType;
  value: string | number | boolean;
}

/** A reference to another span: its parent (`CHILD_OF`) or a link (`FOLLOWS_FROM`). */
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

/** A timestamped log of a span (an OpenTelemetry event; its name is the `event` field). */
export interface JaegerLog {
  /** Microseconds since the epoch. */
  timestamp: number;
  fields: JaegerKeyValue[];
}

/** One span. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  /** The parent first (`CHILD_OF`), then links (`FOLLOWS_FROM`). */
  references: JaegerReference[];
  /** Microseconds since the epoch, an integer. */
  startTime: number;
  /** Microseconds, an integer. */
  duration: number;
  tags: JaegerKeyValue[];
  logs: JaegerLog[];
  /** Key of the span's process in its trace's `processes`. */
  processID: string;
  /** Shown by Jaeger UI on the span. */
  warnings: string[] | null;
  /** W3C trace flags; absent when the span has none. */
  flags?: number;
}

/** The process (OpenTelemetry resource) that produced spans. */
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[];
}

/** One trace. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  /** Processes by the ids the spans use (`p1`, `p2`...). */
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** A Jaeger trace file: what `/api/traces` returns and Jaeger UI's "JSON File" upload reads. */
export interface JaegerTraceFile {
  data: JaegerTrace[];
}
