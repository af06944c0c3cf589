import type { StackResponse, StackServiceResponse } from '@thresh/protocol';
import { renderTable } from './table';

const MARK: Record<StackServiceResponse['status'], string> = { pending: '·', deploying: '…', healthy: '✓', error: '✗', stopped: '-' };

/** "✓ api healthy after 1.4s" and the like, one line per service. */
export function serviceLine(service: StackServiceResponse): string {
  const took = service.startedAt && service.healthyAt ? ` after ${((Date.parse(service.healthyAt) - Date.parse(service.startedAt)) / 1000).toFixed(1)}s` : '';
  return `${MARK[service.status]} ${service.name} ${service.status}${service.status === 'healthy' ? took : ''}${service.error ? `: ${service.error}` : ''}`;
}

export function servicesTable(stack: StackResponse): string {
  return renderTable(
    ['SERVICE', 'STATUS', 'NODE', 'STARTED', 'HEALTHY', 'ERROR'],
    stack.services.map((service) => [service.name, service.status, service.node ?? '-', service.startedAt ?? '-', service.healthyAt ?? '-', service.error ?? '']),
  );
}
