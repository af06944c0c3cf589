import { randomUUID } from 'node:crypto';
import { readJsonFile, writeFileAtomic } from './files';
import { agentPaths } from './paths';

/** The agent id survives restarts and reinstalls of the binary: the hub knows the node by it. */
export function loadOrCreateAgentId(): string {
  const path = agentPaths().identity;
  const existing = readJsonFile<{ agentId?: string }>(path);
  if (existing?.agentId) return existing.agentId;
  const agentId = randomUUID();
  writeFileAtomic(path, `${JSON.stringify({ agentId, createdAt: new Date().toISOString() }, null, 2)}\n`);
  return agentId;
}
