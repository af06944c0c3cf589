import { Injectable } from '@nestjs/common';
import { AuthUser } from '@thresh/server-auth';
import { AppException } from '@thresh/server-core';
import { NodeRecord, NodesService } from '@thresh/server-nodes';
import {
  CommandKind,
  CommandPayload,
  CommandResponse,
  commandResultSchemas,
  EnvironmentUpRequest,
  NodeBlueprintsResponse,
  NodeEnvironmentsResponse,
} from '@thresh/protocol';
import { CommandsService } from '../commands/commands.service';

/** How long a question to a node (what can you run, what runs) waits for its answer. */
const ROUND_TRIP_MS = 15_000;

/** What node owners and admins do to a node's environments, as commands to its agent. */
@Injectable()
export class NodeEnvironmentsService {
  constructor(
    private readonly nodes: NodesService,
    private readonly commands: CommandsService,
  ) {}

  async up(user: AuthUser, idOrName: string, request: EnvironmentUpRequest): Promise<CommandResponse> {
    const { ttlSeconds, ...payload } = request;
    const node = await this.nodes.resolve(user.accountId, idOrName);
    return this.commands.create(user, node, 'environment.up', payload, ttlSeconds);
  }

  async act(user: AuthUser, idOrName: string, kind: 'environment.start' | 'environment.stop' | 'environment.destroy', name: string): Promise<CommandResponse> {
    const node = await this.nodes.resolve(user.accountId, idOrName);
    return this.commands.create(user, node, kind, { name });
  }

  async blueprints(user: AuthUser, idOrName: string): Promise<NodeBlueprintsResponse> {
    const node = await this.nodes.resolve(user.accountId, idOrName);
    const result = await this.ask(user, node, 'blueprints.list', {});
    return { node: node.name, blueprints: result.blueprints };
  }

  async environments(user: AuthUser, idOrName: string): Promise<NodeEnvironmentsResponse> {
    const node = await this.nodes.resolve(user.accountId, idOrName);
    if (!node.reachable) return { node: node.name, source: 'last-report', environments: node.environments };
    const result = await this.ask(user, node, 'environment.list', {});
    return { node: node.name, source: 'node', environments: result.environments };
  }

  /** A command whose answer the caller waits for: only for a node that is there to answer. */
  private async ask<K extends 'blueprints.list' | 'environment.list'>(user: AuthUser, node: NodeRecord, kind: K, payload: CommandPayload<K>) {
    if (!node.reachable) throw new AppException('hub_unavailable', `Node "${node.name}" is offline; ask again when it is back`);
    const created = await this.commands.create(user, node, kind as CommandKind, payload, Math.ceil(ROUND_TRIP_MS / 1000));
    const command = await this.commands.waitForOutcome(user.accountId, created.id, ROUND_TRIP_MS);
    if (command.state === 'succeeded') {
      const parsed = commandResultSchemas[kind].safeParse(command.result);
      if (parsed.success) return parsed.data as ReturnType<(typeof commandResultSchemas)[K]['parse']>;
      throw new AppException('hub_unavailable', `Node "${node.name}" answered with something this hub does not understand`);
    }
    if (command.state === 'failed') throw new AppException('hub_unavailable', `Node "${node.name}" could not answer: ${command.error}`);
    throw new AppException('hub_unavailable', `Node "${node.name}" did not answer within ${ROUND_TRIP_MS / 1000}s (command ${command.id})`);
  }
}
