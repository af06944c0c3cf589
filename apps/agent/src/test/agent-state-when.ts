import { waitFor } from '@thresh/testing';
import { AgentState, readAgentState } from '../lib/agent-state';

/** What `thresh agent status` shows, once it matches. */
export const agentStateWhen = (what: string, matches: (state: AgentState) => boolean) =>
  waitFor(what, () => {
    const state = readAgentState();
    return state && matches(state) ? state : undefined;
  });
