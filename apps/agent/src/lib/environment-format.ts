import type { BlueprintSummary, EnvironmentInfo } from '@thresh/protocol';
import { renderTable } from './table';

/** "web is running (process driver, pid 4242, ports 8080)". */
export function environmentSummary(environment: EnvironmentInfo): string {
  const details = [
    `${environment.driver} driver`,
    ...(environment.runningAs ? [environment.driver === 'process' ? `pid ${environment.runningAs}` : `container ${environment.runningAs}`] : []),
    ...(environment.ports.length ? [`ports ${environment.ports.join(', ')}`] : []),
  ];
  return `${environment.name} is ${environment.status} (${details.join(', ')})${environment.error ? `: ${environment.error}` : ''}`;
}

/** What `thresh blueprints` and `thresh node blueprints` list. */
export function blueprintsTable(blueprints: BlueprintSummary[]): string {
  return renderTable(
    ['NAME', 'SOURCE', 'BASE', 'SERVICE', 'DESCRIPTION'],
    blueprints.map((blueprint) => [blueprint.name, blueprint.source, blueprint.base, blueprint.hasCommand ? 'yes' : 'no', blueprint.description]),
  );
}

export function environmentsTable(environments: Partial<EnvironmentInfo>[]): string {
  return renderTable(
    ['NAME', 'BLUEPRINT', 'DRIVER', 'STATUS', 'PORTS', 'RUNNING AS', 'RESTARTS'],
    environments.map((environment) => [
      environment.name ?? '',
      environment.blueprint ?? '-',
      environment.driver ?? '-',
      environment.error ? `${environment.status} (${environment.error})` : (environment.status ?? '-'),
      environment.ports?.length ? environment.ports.join(',') : '-',
      environment.runningAs ?? '-',
      environment.restarts === undefined ? '-' : String(environment.restarts),
    ]),
  );
}
