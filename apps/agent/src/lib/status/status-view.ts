import { AgentState, writeAgentState } from '../agent-state';

/** What `thresh agent status` shows of this agent: every change is written at once, for another process to read. */
export class StatusView {
  private readonly state: AgentState;

  constructor(
    initial: AgentState,
    private readonly log: (message: string) => void,
    private readonly write: (state: AgentState) => void = writeAgentState,
  ) {
    this.state = { ...initial };
  }

  get current(): Readonly<AgentState> {
    return this.state;
  }

  update(patch: Partial<AgentState>): void {
    Object.assign(this.state, patch);
    try {
      this.write(this.state);
    } catch (error) {
      // A full disk must not stop the agent: the state file is for people, the agent goes on without it.
      this.log(`could not write the state file: ${(error as Error).message}`);
    }
  }
}
