import type { RegisteredNode } from '@thresh/protocol';
import { agentRegistration } from '@thresh/testing';
import { FakeLink } from '../../test/fake-link';
import { CONFIG_DEFAULTS } from '../agent-config';
import type { AgentState } from '../agent-state';
import { StatusView } from '../status/status-view';
import type { LinkName } from './agent-link';
import type { RunnableConfig } from '../agent-launch';
import { LinkSelector } from './link-selector';

const PRIMARY = 'http://primary:5000';
const FALLBACK = 'http://fallback:5000';

describe('LinkSelector', () => {
  let links: FakeLink[];
  let registered: RegisteredNode[];
  let commands: unknown[];
  let kept: string[];
  let logs: string[];
  let status: StatusView;
  /** What /health answers at each URL; undefined: nothing answers HTTP. */
  let health: Record<string, number | undefined>;
  let selector: LinkSelector | undefined;

  const start = (config: Partial<RunnableConfig> = {}): LinkSelector => {
    selector = new LinkSelector({
      config: { ...CONFIG_DEFAULTS, 'midtier-url': PRIMARY, 'api-key': 'thresh_live_default_key', ...config },
      registration: agentRegistration(),
      status,
      log: (message) => logs.push(message),
      keepNodeCredential: (credential) => kept.push(credential),
      events: { registered: (node) => registered.push(node), commandRun: (command) => commands.push(command), commandCancel: () => undefined },
      createLink: (name: LinkName, url: string) => {
        const link = new FakeLink(name, url);
        links.push(link);
        return link;
      },
      healthStatus: async (url) => health[url],
      failoverTimeoutMs: 1000,
      primaryProbeIntervalMs: 100,
    });
    selector.start();
    return selector;
  };
  const latest = () => links[links.length - 1];
  /** Plays the gateway's part: the latest link connects, and registration goes through. */
  const connectLatest = async () => {
    latest().events?.connected();
    await jest.advanceTimersByTimeAsync(0);
  };

  beforeEach(() => {
    jest.useFakeTimers();
    [links, registered, commands, kept, logs, health] = [[], [], [], [], [], {}];
    status = new StatusView({ status: 'connecting', lastError: null } as AgentState, () => undefined, () => undefined);
  });

  afterEach(async () => {
    await selector?.stop();
    jest.useRealTimers();
  });

  it('registers over the link the transport setting asks for, and hands that link out only once registered', async () => {
    const chosen = start({ transport: 'rest' });
    expect(links.map((link) => [link.name, link.url])).toEqual([['rest', PRIMARY]]);
    expect(chosen.registeredLink).toBeUndefined();
    await connectLatest();
    expect(chosen.registeredLink).toBe(links[0]);
    expect(registered.map((node) => node.nodeId)).toEqual(['node-1']);
    expect(status.current.status).toBe('connected');
  });

  it('keeps the node credential the hub issues, and registers with it from then on', async () => {
    start({ transport: 'socketio' });
    links[0].registerAnswer = { ok: true, nodeId: 'node-1', nodeName: 'node', lastSeq: null, nodeCredential: 'thresh_node_default_x' };
    await connectLatest();
    // The hub issues it once; later registrations prove it.
    links[0].registerAnswer = { ok: true, nodeId: 'node-1', nodeName: 'node', lastSeq: null };
    links[0].events?.disconnected('transport close');
    await connectLatest();
    expect(kept).toEqual(['thresh_node_default_x']);
    expect(links[0].registrations.map((registration) => registration.nodeCredential)).toEqual([undefined, 'thresh_node_default_x']);
  });

  it('with auto, moves to REST polling when WebSockets fail twice but the host answers HTTP', async () => {
    health[PRIMARY] = 426;
    start({ transport: 'auto' });
    const failure = { kind: 'network' as const, message: 'websocket error' };
    links[0].events?.error(failure);
    links[0].events?.error(failure);
    await jest.advanceTimersByTimeAsync(0);
    expect(links.map((link) => link.name)).toEqual(['socketio', 'rest']);
    expect(links[0].stopped).toBe('replaced');
    expect(status.current.fallbackReason).toBe('WebSockets unavailable (websocket error)');
  });

  it('takes commands only from the link in use', async () => {
    health[PRIMARY] = 426;
    start({ transport: 'auto', 'websocket-retry': 10 });
    links[0].events?.error({ kind: 'network', message: 'blocked' });
    links[0].events?.error({ kind: 'network', message: 'blocked' });
    await jest.advanceTimersByTimeAsync(0);
    await connectLatest();
    // The WebSocket on trial, tried again after websocket-retry.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(links.map((link) => link.name)).toEqual(['socketio', 'rest', 'socketio']);
    latest().events?.commandRun({ id: 'from-trial' });
    links[1].events?.commandRun({ id: 'from-rest' });
    expect(commands).toEqual([{ id: 'from-rest' }]);
  });

  it('fails over once the primary has been out of reach for the failover timeout, and back once it is healthy again', async () => {
    start({ transport: 'rest', 'auto-failover': true, 'fallback-url': FALLBACK, 'failback-delay': 1 });
    links[0].events?.error({ kind: 'unreachable', message: 'connection refused' });
    await jest.advanceTimersByTimeAsync(999);
    expect(links).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(links.map((link) => link.url)).toEqual([PRIMARY, FALLBACK]);
    await connectLatest();
    expect(status.current.target).toBe('fallback');

    health[PRIMARY] = 200;
    await jest.advanceTimersByTimeAsync(1200);
    expect(links.map((link) => link.url)).toEqual([PRIMARY, FALLBACK, PRIMARY]);
    expect(status.current.target).toBe('primary');
  });

  it('stays put when the key is refused: the fallback would refuse it too, and a person must fix it', async () => {
    start({ transport: 'rest', 'auto-failover': true, 'fallback-url': FALLBACK });
    links[0].events?.error({ kind: 'refused', message: 'the midtier refused the api-key' });
    await jest.advanceTimersByTimeAsync(5000);
    expect(links.map((link) => link.url)).toEqual([PRIMARY]);
    expect(status.current).toMatchObject({ status: 'disconnected', lastError: 'the midtier refused the api-key' });
  });
});
