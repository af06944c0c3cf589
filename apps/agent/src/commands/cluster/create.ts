import { Args, Flags } from '@oclif/core';
import type { ClusterResponse } from '@thresh/protocol';
import { HubCommand } from '../../lib/hub-command';

export default class ClusterCreate extends HubCommand {
  static override summary = 'Create a cluster: a named group of nodes you can list and act on together';
  static override description =
    'Cluster names are unique in your account: lowercase letters, digits and "-", starting with a letter or digit, up to 64 ' +
    'characters. A node can be in several clusters. Needs the operator or admin role. ' +
    'Exit codes: 2 when the name is taken or invalid, 3 when not logged in or not allowed.';
  static override examples = [
    {
      description: 'Create a cluster for the European edge machines',
      command: '<%= config.bin %> cluster create edge-eu --description "Frankfurt and Paris edge nodes"',
    },
    { description: 'Then put nodes in it', command: '<%= config.bin %> cluster add-node edge-eu web-1' },
    { description: 'Create one from a script and keep its id', command: 'ID=$(<%= config.bin %> cluster create ci-runners --json | jq -r .id)' },
  ];
  static override args = { name: Args.string({ description: 'cluster name, e.g. edge-eu', required: true }) };
  static override flags = {
    description: Flags.string({ char: 'd', description: 'what the cluster is for (up to 500 characters)', default: '' }),
  };

  async run(): Promise<ClusterResponse> {
    const { args, flags } = await this.parse(ClusterCreate);
    const cluster = await (await this.client(flags.hub)).request<ClusterResponse>('POST', '/api/clusters', {
      name: args.name,
      description: flags.description,
    });
    this.log(`Created cluster ${cluster.name}.`);
    this.log(`Add nodes to it with: thresh cluster add-node ${cluster.name} <node>`);
    return cluster;
  }
}
