export const AGENT_GATEWAY_OPTIONS = Symbol('AGENT_GATEWAY_OPTIONS');

export interface AgentGatewayOptions {
  /** How long a validated agent key is trusted without asking again: reconnect storms stay local. */
  keyCacheSeconds: number;
  /** A REST agent silent this long has its session closed and its node marked disconnected. */
  restSessionSeconds: number;
  /** Replicas of this gateway share broadcasts (hub replicas): a command for an agent held elsewhere goes to them. */
  replicated?: boolean;
}
