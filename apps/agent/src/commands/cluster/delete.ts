import { Args, Flags } from '@oclif/core';
import { confirm } from '@inquirer/prompts';
import type { ClusterDetailResponse } from '@thresh/protocol';
import { clusterPath } from '../../lib/cluster-format';
import { EXIT } from '../../lib/exit-codes';
import { HubCommand } from '../../lib/hub-command';

export default class ClusterDelete extends HubCommand {
  static override summary = 'Delete a cluster; its nodes stay registered and in their other clusters';
  static override description =
    'Asks for confirmation on a terminal. Scripts and pipelines must pass --yes: without a terminal to ask on, the command ' +
    'refuses (exit 2) rather than delete unasked. Needs the operator or admin role. Exit code 4 when the cluster does not exist.';
  static override examples = [
    { description: 'Delete after confirming', command: '<%= config.bin %> cluster delete edge-eu' },
    { description: 'Delete from a script, without a prompt', command: '<%= config.bin %> cluster delete edge-eu --yes' },
  ];
  static override args = { name: Args.string({ description: 'cluster name', required: true }) };
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'delete without asking for confirmation' }),
  };

  async run(): Promise<{ cluster: string; deleted: true }> {
    const { args, flags } = await this.parse(ClusterDelete);
    const client = await this.client(flags.hub);
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        this.error(`Not deleting cluster "${args.name}": there is no terminal to confirm on. Re-run with --yes to delete it.`, { exit: EXIT.usage });
      }
      // Fails with exit 4 before asking when there is no such cluster.
      const cluster = await client.request<ClusterDetailResponse>('GET', clusterPath(args.name));
      const members = cluster.nodes.length === 1 ? '1 node' : `${cluster.nodes.length} nodes`;
      // The prompt goes to stderr, so --json output stays clean.
      const go = await confirm({ message: `Delete cluster "${cluster.name}" (${members}; the nodes stay)?`, default: false }, { output: process.stderr }).catch(
        // Ctrl-C at the prompt is a "no".
        (error: Error) => (error.name === 'ExitPromptError' ? false : Promise.reject(error)),
      );
      if (!go) this.error(`Cancelled: cluster "${cluster.name}" was not deleted.`, { exit: EXIT.failure });
    }
    await client.request<void>('DELETE', clusterPath(args.name));
    this.log(`Deleted cluster ${args.name}.`);
    return { cluster: args.name, deleted: true };
  }
}
