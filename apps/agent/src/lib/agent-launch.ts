import { Errors } from '@oclif/core';
import { AgentRegistration } from '@thresh/protocol';
import { AgentConfig, loadAgentConfig } from './agent-config';
import { EXIT } from './exit-codes';
import { loadOrCreateIdentity } from './identity';
import { nodeNameFromHostname, readNodeFacts } from './system-info';
import { CaBundleError, readCaBundle } from './tls-trust';

export type RunnableConfig = AgentConfig & { 'midtier-url': string; 'api-key': string };

/** What is missing before the agent can run, as instructions; empty when ready. */
export function missingSettings(config: AgentConfig): string[] {
  const problems: string[] = [];
  if (!config['midtier-url']) problems.push('midtier-url is not set: thresh agent config set midtier-url http://<midtier>:5000');
  if (!config['api-key']) problems.push('api-key is not set: thresh agent config set api-key thresh_live_…');
  const caProblem = config['tls-ca'] ? caBundleProblem(config['tls-ca']) : undefined;
  if (caProblem) problems.push(`tls-ca: ${caProblem}: thresh agent config set tls-ca <file>`);
  return problems;
}

/** The CA file may have moved since "config set" checked it. */
function caBundleProblem(path: string): string | undefined {
  try {
    readCaBundle(path);
    return undefined;
  } catch (error) {
    if (error instanceof CaBundleError) return error.message;
    throw error;
  }
}

/** The settings the agent runs with; what is missing otherwise is a usage error (exit 2). */
export function loadRunnableConfig(): RunnableConfig {
  const config = loadAgentConfig();
  const problems = missingSettings(config);
  if (problems.length) Errors.error(`The agent is not configured:\n  ${problems.join('\n  ')}`, { exit: EXIT.usage });
  return config as RunnableConfig;
}

export async function buildRegistration(config: AgentConfig, agentVersion: string): Promise<AgentRegistration> {
  const facts = await readNodeFacts();
  const identity = loadOrCreateIdentity();
  return {
    agentId: identity.agentId,
    enrollment: identity.enrollment,
    ...(identity.nodeCredential ? { nodeCredential: identity.nodeCredential } : {}),
    nodeName: config['node-name'] ?? nodeNameFromHostname(facts.hostname),
    hostname: facts.hostname,
    platform: facts.platform,
    arch: facts.arch,
    agentVersion,
    cpuCores: facts.cpuCores,
    memoryTotalBytes: facts.memoryTotalBytes,
    diskTotalBytes: facts.diskTotalBytes,
    metricsIntervalSeconds: config['metrics-interval'],
    drivers: ['process'],
  };
}
