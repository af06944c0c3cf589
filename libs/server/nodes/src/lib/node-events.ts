import { Injectable } from '@nestjs/common';
import type { NodeSampledEvent, NodeStatus } from '@thresh/protocol';
import { EventEmitter } from 'node:events';

export interface NodeStatusChange {
  accountId: string;
  nodeId: string;
  name: string;
  status: NodeStatus | 'pruned';
  lastSeenAt: string | null;
}

/** Node status changes and new measurements, as they happen, for whoever shows them live (the dashboard gateway). */
@Injectable()
export class NodeEvents {
  private readonly emitter = new EventEmitter();

  changed(changes: NodeStatusChange[]): void {
    for (const change of changes) this.emitter.emit('changed', change);
  }

  onChanged(listener: (change: NodeStatusChange) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }

  /** Nodes' latest values moved forward by a stored batch. */
  sampled(accountId: string, samples: NodeSampledEvent[]): void {
    if (samples.length > 0) this.emitter.emit('sampled', accountId, samples);
  }

  onSampled(listener: (accountId: string, samples: NodeSampledEvent[]) => void): () => void {
    this.emitter.on('sampled', listener);
    return () => this.emitter.off('sampled', listener);
  }
}
