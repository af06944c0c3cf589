import { AGENT_REST_PREFIX, AGENT_SESSION_HEADER, errorBodySchema, type ErrorCode } from '@thresh/protocol';
import { HttpRequestOptions, HttpResponse, parseJson, sendHttpRequest } from './http-request';

export interface AgentRestRequest extends Omit<HttpRequestOptions, 'headers'> {
  gatewayUrl: string;
  /** Below AGENT_REST_PREFIX: "/register", "/commands?…". */
  path: string;
  apiKey: string;
  /** What every request names once a registration opened a session. */
  session?: string;
}

/**
 * How the gateway answered: `lost`, no answer at all (network, timeout, abort); `ok`, a 2xx with its JSON, unchecked;
 * `refused`, any other status, with the error body's code and message (`said` when there is none: a proxy's page).
 */
export type AgentRestAnswer =
  | { kind: 'lost'; error: unknown }
  | { kind: 'ok'; body: unknown; said: string }
  | { kind: 'refused'; status: number; code?: ErrorCode; message: string };

/** One request of the agent protocol over REST, as the agent and the fleet simulator send it. */
export async function sendAgentRestRequest({ gatewayUrl, path, apiKey, session, ...options }: AgentRestRequest): Promise<AgentRestAnswer> {
  const url = new URL(`${AGENT_REST_PREFIX}${path}`, gatewayUrl);
  let answer: HttpResponse;
  try {
    answer = await sendHttpRequest(url, { ...options, headers: { authorization: `Bearer ${apiKey}`, ...(session ? { [AGENT_SESSION_HEADER]: session } : {}) } });
  } catch (error) {
    return { kind: 'lost', error };
  }
  const said = `${options.method} ${url.pathname} answered ${answer.status}`;
  const body = answer.body ? parseJson(answer.body) : undefined;
  if (answer.status >= 200 && answer.status < 300) return { kind: 'ok', body, said };
  const error = errorBodySchema.safeParse(body);
  return error.success ? { kind: 'refused', status: answer.status, code: error.data.code, message: error.data.message } : { kind: 'refused', status: answer.status, message: said };
}
