import { AGENT_NAMESPACE, Ack, ClusterDetailResponse, ClusterResponse, RegisteredNode } from '@thresh/protocol';
import { agentRegistration, RunResult, runThresh, waitFor } from '@thresh/testing';
import { io, Socket } from 'socket.io-client';
import { ADMIN_PASSWORD, RunningSystem, startSystem, temporaryHome } from './support/system';

describe('thresh cluster against the built hub, with nodes registered through the midtier', () => {
  let system: RunningSystem;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };
  const agents: Socket[] = [];
  const nodes: Record<string, RegisteredNode> = {};
  const thresh = (...args: string[]) => runThresh(args, env);
  /** What a person reads on stderr, with oclif's line wrapping (" ›   ") undone. */
  const said = (result: RunResult) => result.stderr.replace(/\s*\n\s*›\s*/g, ' ');
  const json = async <T>(...args: string[]) => {
    const result = await thresh(...args, '--json');
    if (result.code !== 0) throw new Error(`thresh ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  };

  /** An agent speaking the real protocol to the midtier, as `thresh agent start` would. */
  const connectAgent = async (nodeName: string): Promise<Socket> => {
    const socket = io(`${system.midtierUrl}${AGENT_NAMESPACE}`, {
      auth: { key: await system.api.createKey('agent', nodeName) },
      transports: ['websocket'],
      reconnection: false,
    });
    agents.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack: Ack<RegisteredNode> = await socket.emitWithAck('agent:register', agentRegistration({ nodeName }));
    if (!ack.ok) throw new Error(`could not register ${nodeName}: ${ack.error.message}`);
    nodes[nodeName] = ack;
    return socket;
  };

  beforeAll(async () => {
    system = await startSystem('cliclusters');
    const login = await runThresh(['auth', 'login', '--hub', system.hubUrl, '--username', 'admin', '--password-stdin'], env, `${ADMIN_PASSWORD}\n`);
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    await connectAgent('web-1');
    // db-1 registers, then its agent goes away: it stays known, offline.
    (await connectAgent('db-1')).close();
    await waitFor('db-1 to be offline', async () => (await system.api.nodes()).items.find((node) => node.name === 'db-1')?.status === 'offline', 15_000);
  });

  afterAll(async () => {
    for (const socket of agents) socket.close();
    await system?.stop();
    home.remove();
  });

  it('teaches itself in --help: what each command does, with examples', async () => {
    const topic = await thresh('cluster', '--help');
    expect(topic.code).toBe(0);
    for (const command of ['create', 'list', 'info', 'add-node', 'remove-node', 'delete']) expect(topic.stdout).toContain(`cluster ${command}`);
    const help = await thresh('cluster', 'delete', '--help');
    expect(help.stdout).toContain('--yes');
    expect(help.stdout).toContain('Scripts and pipelines must pass --yes');
    expect(help.stdout).toContain('$ thresh cluster delete edge-eu --yes');
  });

  it('creates clusters, and refuses a taken name (exit 2) or a bad one (exit 2) saying why', async () => {
    const created = await thresh('cluster', 'create', 'edge-eu', '--description', 'Frankfurt and Paris edge nodes');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created cluster edge-eu.');
    expect(created.stdout).toContain('thresh cluster add-node edge-eu <node>');
    expect(await json<ClusterResponse>('cluster', 'create', 'batch')).toEqual(expect.objectContaining({ name: 'batch', description: '', nodeCount: 0 }));

    const duplicate = await thresh('cluster', 'create', 'edge-eu', '--description', 'again');
    expect(duplicate.code).toBe(6);
    expect(said(duplicate)).toContain('A cluster named "edge-eu" already exists');
    const badName = await thresh('cluster', 'create', 'Edge EU');
    expect(badName.code).toBe(2);
    expect(said(badName)).toContain('name: lowercase letters, digits and "-" only');
  });

  it('puts nodes in a cluster by name or id prefix, and says which node or cluster is wrong', async () => {
    const byName = await thresh('cluster', 'add-node', 'edge-eu', 'web-1');
    expect(byName.code).toBe(0);
    expect(byName.stdout.trim()).toBe('Added web-1 to cluster edge-eu; it has 1 node (1 online, 0 offline).');
    const byPrefix = await thresh('cluster', 'add-node', 'edge-eu', nodes['db-1'].nodeId.slice(0, 8));
    expect(byPrefix.code).toBe(0);
    expect(byPrefix.stdout.trim()).toBe('Added db-1 to cluster edge-eu; it has 2 nodes (1 online, 1 offline).');

    const twice = await thresh('cluster', 'add-node', 'edge-eu', 'web-1');
    expect(twice.code).toBe(6);
    expect(said(twice)).toContain('node "web-1" is already in cluster "edge-eu"');
    const noNode = await thresh('cluster', 'add-node', 'edge-eu', 'ghost-node');
    expect(noNode.code).toBe(4);
    expect(said(noNode)).toContain('No node with id, name or id prefix "ghost-node"');
    const noCluster = await thresh('cluster', 'add-node', 'nowhere', 'web-1');
    expect(noCluster.code).toBe(4);
    expect(said(noCluster)).toContain('No cluster named "nowhere"');
  });

  it('lists clusters as a table with their node counts', async () => {
    const list = await thresh('cluster', 'list');
    console.log(`$ thresh cluster list\n${list.stdout}`);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NODES\s+DESCRIPTION\s+CREATED$/);
    expect(lines[1]).toMatch(/^batch\s+0\s+-\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines[2]).toMatch(/^edge-eu\s+2\s+Frankfurt and Paris edge nodes\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines).toHaveLength(3);
    expect((await json<ClusterResponse[]>('cluster', 'list')).map(({ name, nodeCount }) => ({ name, nodeCount }))).toEqual([
      { name: 'batch', nodeCount: 0 },
      { name: 'edge-eu', nodeCount: 2 },
    ]);
  });

  it('shows one cluster: its description, then its nodes with status and last seen', async () => {
    const info = await thresh('cluster', 'info', 'edge-eu');
    console.log(`$ thresh cluster info edge-eu\n${info.stdout}`);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^Name:\s+edge-eu$/m);
    expect(info.stdout).toMatch(/^Description:\s+Frankfurt and Paris edge nodes$/m);
    expect(info.stdout).toMatch(/^Nodes:\s+2 nodes \(1 online, 1 offline\)$/m);
    expect(info.stdout).toMatch(/^NAME\s+STATUS\s+LAST SEEN$/m);
    expect(info.stdout).toMatch(/^db-1\s+offline\s+\d+s ago$/m);
    expect(info.stdout).toMatch(/^web-1\s+online\s+\d+s ago$/m);

    const detail = await json<ClusterDetailResponse>('cluster', 'info', 'edge-eu');
    expect(detail.nodes).toEqual([
      { id: nodes['db-1'].nodeId, name: 'db-1', status: 'offline', lastSeenAt: expect.any(String) },
      { id: nodes['web-1'].nodeId, name: 'web-1', status: 'online', lastSeenAt: expect.any(String) },
    ]);

    const empty = await thresh('cluster', 'info', 'batch');
    expect(empty.stdout).toContain('No nodes in this cluster yet. Add one with: thresh cluster add-node batch <node>');
    const unknown = await thresh('cluster', 'info', 'nowhere');
    expect(unknown.code).toBe(4);
    expect(said(unknown)).toContain('No cluster named "nowhere"');
    // --json keeps the exit code, with the error as JSON.
    const unknownJson = await thresh('cluster', 'info', 'nowhere', '--json');
    expect(unknownJson.code).toBe(4);
    expect(JSON.parse(unknownJson.stdout)).toEqual({ error: expect.objectContaining({ status: 404, exitCode: 4, message: 'No cluster named "nowhere"' }) });
  });

  it('takes a node out of a cluster (it stays registered), and exit 4 when it is not in it', async () => {
    const removed = await thresh('cluster', 'remove-node', 'edge-eu', 'db-1');
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe('Removed db-1 from cluster edge-eu.');
    expect((await json<ClusterDetailResponse>('cluster', 'info', 'edge-eu')).nodes.map((node) => node.name)).toEqual(['web-1']);
    expect((await thresh('node', 'info', 'db-1')).code).toBe(0);

    const again = await thresh('cluster', 'remove-node', 'edge-eu', 'db-1');
    expect(again.code).toBe(4);
    expect(said(again)).toContain('node "db-1" is not in cluster "edge-eu"');
    const noCluster = await thresh('cluster', 'remove-node', 'nowhere', 'db-1');
    expect(noCluster.code).toBe(4);
    expect(said(noCluster)).toContain('No cluster named "nowhere"');
  });

  it('will not delete without a terminal to confirm on unless given --yes', async () => {
    const refused = await thresh('cluster', 'delete', 'edge-eu');
    expect(refused.code).toBe(2);
    expect(said(refused)).toContain('Not deleting cluster "edge-eu": there is no terminal to confirm on. Re-run with --yes to delete it.');
    expect((await thresh('cluster', 'info', 'edge-eu')).code).toBe(0);

    const deleted = await thresh('cluster', 'delete', 'edge-eu', '--yes');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout.trim()).toBe('Deleted cluster edge-eu.');
    const gone = await thresh('cluster', 'info', 'edge-eu');
    expect(gone.code).toBe(4);
    expect(said(gone)).toContain('No cluster named "edge-eu"');
    // Its nodes stay.
    expect((await thresh('node', 'info', 'web-1')).code).toBe(0);

    expect(await json('cluster', 'delete', 'batch', '--yes')).toEqual({ cluster: 'batch', deleted: true });
    const unknown = await thresh('cluster', 'delete', 'nowhere', '--yes');
    expect(unknown.code).toBe(4);
    expect(said(unknown)).toContain('No cluster named "nowhere"');
    expect((await thresh('cluster', 'list')).stdout).toContain('No clusters yet. Create one with: thresh cluster create <name> --description <text>');
  });

  it('lets a viewer look but not change (exit 3)', async () => {
    const created = await system.api.request('POST', '/api/users', { username: 'watcher', password: 'watcher-password-1', role: 'viewer' });
    expect(created.status).toBe(201);
    const viewerHome = temporaryHome();
    try {
      const viewerEnv = { THRESH_HOME: viewerHome.path };
      const login = await runThresh(['auth', 'login', '--hub', system.hubUrl, '--username', 'watcher', '--password-stdin'], viewerEnv, 'watcher-password-1\n');
      expect(login.code).toBe(0);
      expect((await runThresh(['cluster', 'list'], viewerEnv)).code).toBe(0);
      const refused = await runThresh(['cluster', 'create', 'viewer-made'], viewerEnv);
      expect(refused.code).toBe(3);
      expect(said(refused)).toContain('This action needs the role admin or operator; you are viewer');
      expect((await json<ClusterResponse[]>('cluster', 'list')).map((cluster) => cluster.name)).not.toContain('viewer-made');
    } finally {
      viewerHome.remove();
    }
  });
});
