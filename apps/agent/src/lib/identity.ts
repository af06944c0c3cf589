import { randomBytes, randomUUID } from 'node:crypto';
import { readJsonFile, writeFileAtomic } from './files';
import { agentPaths } from './paths';

/**
 * Who this machine is to the hub, kept 0600 in THRESH_HOME: the agent id (it survives restarts and reinstalls of the
 * binary), the enrollment secret made before the first registration, and the node credential the hub issued.
 */
export interface NodeIdentity {
  agentId: string;
  enrollment: string;
  nodeCredential?: string;
}

interface IdentityFile extends Partial<NodeIdentity> {
  createdAt?: string;
}

export function loadOrCreateIdentity(): NodeIdentity {
  const path = agentPaths().identity;
  const existing = readJsonFile<IdentityFile>(path);
  if (existing?.agentId && existing.enrollment) return { agentId: existing.agentId, enrollment: existing.enrollment, nodeCredential: existing.nodeCredential };
  // An identity from before node credentials keeps its agent id and gains an enrollment secret.
  const identity = { createdAt: new Date().toISOString(), ...existing, agentId: existing?.agentId ?? randomUUID(), enrollment: randomBytes(32).toString('base64url') };
  writeIdentity(identity);
  return identity;
}

/** Written before the credential is used: a crash right after must not lose the only proof that this machine is the node. */
export function saveNodeCredential(nodeCredential: string): void {
  writeIdentity({ ...readJsonFile<IdentityFile>(agentPaths().identity), nodeCredential });
}

function writeIdentity(identity: IdentityFile): void {
  writeFileAtomic(agentPaths().identity, `${JSON.stringify(identity, null, 2)}\n`, 0o600);
}
