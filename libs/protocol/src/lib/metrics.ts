import { z } from 'zod';

/** Most samples one agent report may carry: a backlog drains in reports of this size. */
export const MAX_SAMPLES_PER_REPORT = 500;
/** Most samples one midtier-to-hub batch may carry. */
export const MAX_SAMPLES_PER_BATCH = 2000;
/** An agent keeps each report under this many bytes of JSON (a sample with many environments is large). */
export const MAX_REPORT_BYTES = 512 * 1024;
/** A midtier keeps each batch under this many bytes of JSON (one report alone may reach MAX_REPORT_BYTES). */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** The largest Socket.IO message the agent and midtier gateways accept: above every report and batch. */
export const MAX_SOCKET_MESSAGE_BYTES = 4 * 1024 * 1024;

export const environmentStatusSchema = z.strictObject({
  name: z.string().min(1).max(64),
  status: z.enum(['running', 'stopped', 'error', 'deploying']),
});
export type EnvironmentStatus = z.infer<typeof environmentStatusSchema>;

/** PostgreSQL has no year 0: an absurd date would fail a whole batch, so it is refused at the edge. */
const sensibleInstant = z.iso.datetime().refine((value) => value >= '1970', 'must be a date from 1970 on');

const bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * How far past a node's last stored sequence number a sample may be: more than an agent numbering one sample a second
 * reaches in thirty years. A sample beyond it is refused, or one bad number would make every later sample a "repeat".
 */
export const MAX_SEQ_AHEAD = 1_000_000_000;

/** One measurement of a node. (agentId, seq) identifies it: a repeat is stored once. */
export const metricSampleSchema = z.strictObject({
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  at: sensibleInstant,
  cpuPercent: z.number().min(0).max(100),
  memoryUsedBytes: bytes,
  memoryTotalBytes: bytes,
  diskUsedBytes: bytes,
  diskTotalBytes: bytes,
  containersRunning: z.number().int().nonnegative().max(100_000),
  environments: z.array(environmentStatusSchema).max(200),
});
export type MetricSample = z.infer<typeof metricSampleSchema>;

export const metricsReportSchema = z.strictObject({
  agentId: z.uuid(),
  samples: z.array(metricSampleSchema).min(1).max(MAX_SAMPLES_PER_REPORT),
});
export type MetricsReport = z.infer<typeof metricsReportSchema>;

export const metricsBatchSchema = z.strictObject({
  samples: z
    .array(metricSampleSchema.extend({ agentId: z.uuid() }))
    .min(1)
    .max(MAX_SAMPLES_PER_BATCH),
});
export type MetricsBatch = z.infer<typeof metricsBatchSchema>;

export const METRIC_RESOLUTIONS = ['auto', 'raw', '1m', '1h'] as const;
/** Most points one history answer holds; `truncated` says when the range held more (ask again from the last point). */
export const MAX_METRIC_POINTS = 5000;

export const nodeMetricsQuerySchema = z.strictObject({
  from: sensibleInstant.optional(),
  to: sensibleInstant.optional(),
  resolution: z.enum(METRIC_RESOLUTIONS).default('auto'),
});
export type NodeMetricsQuery = z.infer<typeof nodeMetricsQuerySchema>;

export const metricPointSchema = z.object({
  at: z.iso.datetime(),
  cpuPercent: z.number(),
  memoryUsedBytes: z.number(),
  diskUsedBytes: z.number(),
  containersRunning: z.number(),
});
export type MetricPoint = z.infer<typeof metricPointSchema>;

export const nodeMetricsResponseSchema = z.object({
  node: z.string(),
  resolution: z.enum(['raw', '1m', '1h']),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  points: z.array(metricPointSchema),
  /** The range held more than MAX_METRIC_POINTS points at this resolution: these are the oldest. */
  truncated: z.boolean(),
});
export type NodeMetricsResponse = z.infer<typeof nodeMetricsResponseSchema>;
