import { Injectable } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { MAX_METRIC_POINTS, NodeMetricsQuery, NodeMetricsResponse } from '@thresh/protocol';
import { NodesService } from '@thresh/server-nodes';
import { NodeMetricsRepository, Resolution } from './node-metrics.repository';

/** A node's samples over a time range, from the tier that fits. */
@Injectable()
export class NodeMetricsService {
  constructor(
    private readonly nodes: NodesService,
    private readonly points: NodeMetricsRepository,
  ) {}

  /** "auto" picks the finest tier whose points over the range fit in one answer: raw, then minutes, then hours. */
  async query(accountId: string, idOrName: string, query: NodeMetricsQuery): Promise<NodeMetricsResponse> {
    const node = await this.nodes.resolve(accountId, idOrName);
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 3600_000);
    if (from >= to) throw new AppException('validation_failed', 'from must be before to');
    const span = to.getTime() - from.getTime();
    const fits = (pointEveryMs: number) => span / pointEveryMs <= MAX_METRIC_POINTS;
    const resolution: Resolution =
      query.resolution !== 'auto' ? query.resolution : fits(node.metricsIntervalSeconds * 1000) ? 'raw' : fits(60_000) ? '1m' : '1h';
    const points = await this.points.points(node.id, from, to, resolution, MAX_METRIC_POINTS + 1);
    const truncated = points.length > MAX_METRIC_POINTS;
    return { node: node.name, resolution, from: from.toISOString(), to: to.toISOString(), points: points.slice(0, MAX_METRIC_POINTS), truncated };
  }
}
