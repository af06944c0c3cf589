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
    /** Custom blueprints, one JSON or YAML file each. */
    blueprints: join(home, 'blueprints'),
    /** One folder per environment of the process driver. */
    environments: join(home, 'environments'),
    /** What became of each command this agent ran, so a repeat is recognised and an unheard outcome sent again. */
    commandJournal: join(home, 'commands'),
  };
};
