import { Flags } from '@oclif/core';
import type { StackDeployResponse, StackResponse } from '@thresh/protocol';
import ora from 'ora';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { EXIT } from '../../lib/exit-codes';
import { HubApiError } from '../../lib/hub-client';
import { HubCommand } from '../../lib/hub-command';
import { serviceLine } from '../../lib/stack-format';

const POLL_MS = 500;

export default class StackDeploy extends HubCommand {
  static override summary = 'Deploy a stack from a definition file (JSON or YAML), or update it';
  static override description =
    'The hub checks the whole definition first and lists every problem; nothing starts then (exit 2). Services start ' +
    'in dependency order, each once its dependencies are healthy. With --wait the command follows the deployment and ' +
    'exits 0 only when every service is healthy (5 otherwise, naming the failing service and its error): what a CI ' +
    'pipeline needs. Deploying a stack that exists restarts only the services whose definition changed.';
  static override examples = [
    '<%= config.bin %> stack deploy -f webapp.yaml --wait',
    '<%= config.bin %> stack deploy -f webapp.json --node build-7 --wait --timeout 10m',
    '<%= config.bin %> stack deploy -f webapp.yaml --cluster edge --json',
  ];
  static override flags = {
    file: Flags.string({ char: 'f', description: 'stack definition, JSON or YAML ("-" reads standard input)', required: true }),
    node: Flags.string({ description: 'deploy on this node (overrides targetNode)', exclusive: ['cluster'] }),
    cluster: Flags.string({ description: 'deploy on the online node of this cluster with the most headroom (overrides targetCluster)' }),
    wait: Flags.boolean({ description: 'follow the deployment until every service is healthy or one failed' }),
    timeout: Flags.string({ description: 'how long --wait waits: 90s, 10m, 1h', default: '10m' }),
  };

  async run(): Promise<StackDeployResponse | StackResponse> {
    const { flags } = await this.parse(StackDeploy);
    const timeoutMs = this.durationFlag('timeout', flags.timeout);
    const definition = this.readDefinition(flags.file);
    if (flags.node) Object.assign(definition, { targetNode: flags.node, targetCluster: undefined });
    if (flags.cluster) Object.assign(definition, { targetCluster: flags.cluster, targetNode: undefined });

    const client = await this.client(flags.hub);
    const deployed = await client.request<StackDeployResponse>('POST', '/api/stacks/deploy', definition).catch((error: unknown) => {
      // A refused definition: one problem a line, as a person fixes them.
      if (!(error instanceof HubApiError) || error.issues.length === 0) throw error;
      this.logToStderr(`${flags.file} is not a valid stack (nothing was started):\n${error.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`);
      this.exit(EXIT.usage);
    });
    this.log(`Deploying stack ${deployed.name} on ${deployed.node}${deployed.changed.length ? ` (${deployed.changed.join(', ')})` : ' (nothing changed)'}`);
    if (!flags.wait) return deployed;

    const spinner = !this.jsonEnabled() && process.stderr.isTTY ? ora({ text: 'waiting for the node', stream: process.stderr }).start() : null;
    const printed = new Map<string, string>();
    const deadline = Date.now() + timeoutMs;
    let stack: StackResponse;
    try {
      for (;;) {
        stack = await client.request<StackResponse>('GET', `/api/stacks/${encodeURIComponent(deployed.name)}`);
        // Deleted and deployed again meanwhile: what the stack shows now is another deployment's.
        if (stack.commandId !== deployed.commandId) break;
        for (const service of stack.services) {
          if (service.status === 'pending' || printed.get(service.name) === service.status) continue;
          printed.set(service.name, service.status);
          spinner?.clear();
          this.log(serviceLine(service));
        }
        if (stack.status !== 'deploying' || Date.now() > deadline) break;
        if (spinner) spinner.text = `${stack.services.filter((service) => service.status === 'healthy').length} of ${stack.services.length} services healthy`;
        await sleep(POLL_MS);
      }
    } finally {
      spinner?.stop();
    }
    if (stack.commandId !== deployed.commandId) {
      process.exitCode = EXIT.failure;
      this.logToStderr(`Stack ${stack.name} was replaced by another deployment (command ${stack.commandId}) before this one finished; see "thresh command info ${deployed.commandId}"`);
      return stack;
    }
    if (stack.status === 'running') {
      this.log(`Stack ${stack.name} is running: ${stack.services.length} service(s) healthy on ${stack.node}`);
      return stack;
    }
    if (stack.status === 'deploying') {
      process.exitCode = EXIT.failure;
      this.logToStderr(`Stack ${stack.name} still deploying after ${flags.timeout}; follow it with "thresh stack info ${stack.name}"`);
      return stack;
    }
    process.exitCode = EXIT.remote;
    const failing = stack.services.find((service) => service.status === 'error') ?? stack.services.find((service) => service.error);
    this.logToStderr(`Stack ${stack.name} ${stack.status}${failing ? `: service ${failing.name} failed: ${failing.error}` : stack.error ? `: ${stack.error}` : ''}`);
    return stack;
  }

  private readDefinition(file: string): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (error) {
      this.error(`Cannot read ${file}: ${(error as Error).message}`, { exit: EXIT.usage });
    }
    try {
      const parsed: unknown = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a mapping with name and services');
      return parsed as Record<string, unknown>;
    } catch (error) {
      this.error(`${file} is not a stack definition: ${(error as Error).message}`, { exit: EXIT.usage });
    }
  }
}
