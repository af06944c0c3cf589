import { parseStackDefinition, StackProblem } from '@thresh/protocol';
import { isRecord } from './stacks-api';

/** What the editor's text says: not JSON, JSON with problems, or a stack the hub should take. */
export type Checked =
  | { state: 'invalid-json'; message: string }
  | { state: 'problems'; problems: StackProblem[] }
  | { state: 'valid'; body: unknown; name: string; services: string[] };

/** Where the stack should go, from the deploy form's optional fields; blank fields leave the definition as written. */
export interface Target {
  node: string;
  cluster: string;
}

/** Parses the editor's JSON, applies the target fields, and checks it as the hub will, every problem at once. */
export function checkDefinition(text: string, target: Target): Checked {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { state: 'invalid-json', message: error instanceof Error ? error.message : String(error) };
  }
  const body = withTarget(parsed, target);
  const result = parseStackDefinition(body);
  return result.ok ? { state: 'valid', body, name: result.stack.name, services: result.stack.services.map((service) => service.name) } : { state: 'problems', problems: result.problems };
}

function withTarget(definition: unknown, target: Target): unknown {
  if (!isRecord(definition)) return definition;
  const node = target.node.trim();
  const cluster = target.cluster.trim();
  return { ...definition, ...(node ? { targetNode: node } : {}), ...(cluster ? { targetCluster: cluster } : {}) };
}

/** A service of a stored definition, as far as the stack page needs it. */
export interface DefinedService {
  name: string;
  image: string | null;
}

/** The services of a definition as the hub stores it (a list), or as written (a list or a map). */
export function definedServices(definition: Record<string, unknown>): DefinedService[] {
  return entries(definition['services']).map(([name, service]) => ({ name, image: typeof service['image'] === 'string' ? service['image'] : null }));
}

/** The same definition with one service's image changed, to deploy again: only that service restarts. */
export function withImage(definition: Record<string, unknown>, serviceName: string, image: string): Record<string, unknown> {
  const services = definition['services'];
  const change = (service: Record<string, unknown>) => ({ ...service, image });
  if (Array.isArray(services)) {
    return { ...definition, services: services.map((service: unknown) => (isRecord(service) && service['name'] === serviceName ? change(service) : service)) };
  }
  if (isRecord(services)) {
    return { ...definition, services: Object.fromEntries(Object.entries(services).map(([key, service]) => [key, isRecord(service) && nameIn(key, service) === serviceName ? change(service) : service])) };
  }
  return definition;
}

function entries(services: unknown): [string, Record<string, unknown>][] {
  if (Array.isArray(services)) {
    return services.flatMap((service: unknown) => (isRecord(service) && typeof service['name'] === 'string' ? [[service['name'], service] as [string, Record<string, unknown>]] : []));
  }
  if (isRecord(services)) return Object.entries(services).flatMap(([key, service]) => (isRecord(service) ? [[nameIn(key, service), service] as [string, Record<string, unknown>]] : []));
  return [];
}

/** A service written in a map is named by its key, unless it names itself. */
const nameIn = (key: string, service: Record<string, unknown>) => (typeof service['name'] === 'string' ? service['name'] : key);
