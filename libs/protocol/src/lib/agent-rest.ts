import { z } from 'zod';
import { AgentCommand } from './commands';

/**
 * The agent protocol over plain HTTP, for agents that cannot hold a WebSocket. Every request carries
 * `Authorization: Bearer thresh_live_…`; the rules are the socket's: a report is acknowledged once stored (or spooled),
 * a command outcome is accepted once, a command may come twice and the agent recognises its id.
 *
 *   POST {prefix}/register         AgentRegistration          -> RegisteredNode (opens the agent's session)
 *   POST {prefix}/metrics          MetricsReport              -> { accepted }
 *   GET  {prefix}/commands?agentId=&wait=  (long poll)        -> AgentPollResponse
 *   POST {prefix}/command-updates  { agentId, update }        -> { accepted }
 *   POST {prefix}/unregister       { agentId }                -> 204 (the agent stops; its node goes offline now)
 *
 * A request for an agent without a session (never registered, or silent past the session timeout) is answered 409
 * with code `not_registered`: the agent registers again and carries on.
 */
export const AGENT_REST_PREFIX = '/api/agent';

/** The longest a poll may wait for a command: under the idle timeouts of common proxies (60 s). */
export const MAX_AGENT_POLL_WAIT_SECONDS = 50;

export const agentPollQuerySchema = z.strictObject({
  agentId: z.uuid(),
  /** Seconds to hold the request open while nothing waits for the agent. */
  wait: z.coerce.number().int().min(0).max(MAX_AGENT_POLL_WAIT_SECONDS).default(0),
});
export type AgentPollQuery = z.infer<typeof agentPollQuerySchema>;

export interface AgentPollResponse {
  /** Commands to run (again, possibly). */
  commands: AgentCommand[];
  /** Ids of commands to cancel. */
  cancelled: string[];
}

export const agentUnregisterSchema = z.strictObject({ agentId: z.uuid() });
