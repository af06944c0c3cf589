import { Args, Flags } from '@oclif/core';
import type { ClusterDetailResponse, ClusterNode, CommandResponse, EnvironmentInfo } from '@thresh/protocol';
import { FINISHED_COMMAND_STATES, RUNTIME_DRIVERS } from '@thresh/protocol';
import ora from 'ora';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterPath } from '../../lib/cluster-format';
import { environmentSummary } from '../../lib/environment-format';
import { EXIT } from '../../lib/exit-codes';
import { HubClient } from '../../lib/hub-client';
import { HubCommand } from '../../lib/hub-command';

const POLL_MS = 500;

interface NodeOutcome {
  node: string;
  commandId: string | null;
  state: CommandResponse['state'] | 'skipped' | 'refused';
  detail: string;
}

export default class ClusterUp extends HubCommand {
  static override summary = 'Deploy a blueprint on every node of a cluster, a batch of nodes at a time';
  static override description =
    'Each batch is deployed in parallel and followed to its end before the next one starts. With --on-failure stop ' +
    '(the default) a failed node ends the rollout after its batch; with continue every node is tried. One line per ' +
    'node says how it went; the exit code is 0 only when every node succeeded (5 otherwise).';
  static override examples = [
    '<%= config.bin %> cluster up edge-eu python-dev --name notebooks',
    '<%= config.bin %> cluster up edge-eu my-api --name api --batch-size 2 --on-failure continue',
    '<%= config.bin %> cluster up edge-eu my-api --name api --json',
  ];
  static override args = {
    cluster: Args.string({ description: 'cluster name', required: true }),
    blueprint: Args.string({ description: 'blueprint name, as each node knows it', required: true }),
  };
  static override flags = {
    name: Flags.string({ char: 'n', description: 'name of the new environment on each node', required: true }),
    'batch-size': Flags.integer({ description: 'nodes deployed at the same time', default: 5, min: 1 }),
    'on-failure': Flags.option({ options: ['stop', 'continue'] as const, description: 'after a failed node: stop after its batch, or go on', default: 'stop' })(),
    driver: Flags.option({ options: RUNTIME_DRIVERS, description: 'runtime driver (default: each node picks: docker where it has an engine, else process)' })(),
    timeout: Flags.string({ description: 'how long to wait for each batch: 90s, 10m, 1h', default: '30m' }),
  };

  async run(): Promise<{ cluster: string; succeeded: number; results: NodeOutcome[] }> {
    const { args, flags } = await this.parse(ClusterUp);
    const batchTimeoutMs = this.durationFlag('timeout', flags.timeout);
    const client = await this.client(flags.hub);
    const cluster = await client.request<ClusterDetailResponse>('GET', clusterPath(args.cluster));
    if (cluster.nodes.length === 0) this.error(`Cluster ${cluster.name} has no nodes: add some with "thresh cluster add-node ${cluster.name} <node>"`, { exit: EXIT.usage });

    const batches: ClusterDetailResponse['nodes'][] = [];
    for (let index = 0; index < cluster.nodes.length; index += flags['batch-size']) batches.push(cluster.nodes.slice(index, index + flags['batch-size']));
    this.log(`Deploying ${args.blueprint} as "${flags.name}" on ${cluster.nodes.length} node(s) of ${cluster.name}, ${flags['batch-size']} at a time`);

    const results: NodeOutcome[] = [];
    for (const [index, batch] of batches.entries()) {
      if (flags['on-failure'] === 'stop' && results.some((result) => result.state !== 'succeeded')) {
        for (const node of batch) results.push(this.report({ node: node.name, commandId: null, state: 'skipped', detail: 'not tried: an earlier node failed (--on-failure stop)' }));
        continue;
      }
      const spinner = !this.jsonEnabled() && process.stderr.isTTY ? ora({ text: `batch ${index + 1} of ${batches.length}`, stream: process.stderr }).start() : null;
      try {
        const outcomes = await Promise.all(batch.map((node) => this.deploy(client, node, args.blueprint, flags, batchTimeoutMs)));
        spinner?.stop();
        for (const outcome of outcomes) results.push(this.report(outcome));
      } finally {
        spinner?.stop();
      }
    }
    const succeeded = results.filter((result) => result.state === 'succeeded').length;
    this.log(`${succeeded} of ${results.length} node(s) deployed`);
    if (succeeded < results.length) process.exitCode = EXIT.remote;
    return { cluster: cluster.name, succeeded, results };
  }

  private async deploy(client: HubClient, member: ClusterNode, blueprint: string, flags: { name: string; driver?: string }, timeoutMs: number): Promise<NodeOutcome> {
    const node = member.name;
    let command: CommandResponse;
    try {
      // By id: names need not be unique across the fleet.
      command = await client.request<CommandResponse>('POST', `/api/nodes/${member.id}/up`, {
        blueprint,
        name: flags.name,
        ...(flags.driver ? { driver: flags.driver } : {}),
      });
    } catch (error) {
      return { node, commandId: null, state: 'refused', detail: (error as Error).message };
    }
    const deadline = Date.now() + timeoutMs;
    while (!FINISHED_COMMAND_STATES.includes(command.state) && Date.now() < deadline) {
      await sleep(POLL_MS);
      // A hiccup on one poll is not this node's outcome: look again.
      command = await client.request<CommandResponse>('GET', `/api/commands/${command.id}`).catch(() => command);
    }
    const detail =
      command.state === 'succeeded'
        ? environmentSummary((command.result as { environment: EnvironmentInfo }).environment)
        : FINISHED_COMMAND_STATES.includes(command.state)
          ? `${command.state.replace('_', ' ')}: ${command.error ?? 'no reason given'}`
          : `still ${command.state} after the batch timeout${command.state === 'queued' ? ' (the node is offline)' : ''}; follow it with "thresh command info ${command.id}"`;
    return { node, commandId: command.id, state: command.state, detail };
  }

  private report(outcome: NodeOutcome): NodeOutcome {
    this.log(`${outcome.state === 'succeeded' ? '✓' : outcome.state === 'skipped' ? '-' : '✗'} ${outcome.node}: ${outcome.detail}`);
    return outcome;
  }
}
