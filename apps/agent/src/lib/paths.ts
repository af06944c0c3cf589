import { homedir } from 'node:os';
import { join } from 'node:path';

/** Everything the agent keeps lives in one folder: ~/.thresh, or $THRESH_HOME. */
export function threshHome(): string {
  return process.env['THRESH_HOME'] || join(homedir(), '.thresh');
}

export const agentPaths = () => {
  const home = threshHome();
  return {
    home,
    config: join(home, 'agent.json'),
    identity: join(home, 'identity.json'),
    pid: join(home, 'agent.pid'),
    state: join(home, 'agent-state.json'),
    log: join(home, 'agent.log'),
    sampleBuffer: join(home, 'metrics-buffer.jsonl'),
    sampleCursor: join(home, 'metrics-cursor.json'),
  };
};
