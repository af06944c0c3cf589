import { Ack, AgentCommand, MIDTIER_NAMESPACE, RegisteredNode } from '@thresh/protocol';
import { agentRegistration, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { TestHub } from './test-hub';

const ENROLLMENT = 'fake-midtier-enrollment-secret-of-32-characters-or-more';

/** A midtier as the hub sees it: one socket that registers nodes, hears commands for them and reports back. */
export class FakeMidtier {
  readonly dispatched: { agentId: string; command: AgentCommand }[] = [];
  readonly cancelled: { agentId: string; commandId: string }[] = [];

  /** Nodes registered here, with the credential the hub issued each: the next registration presents it. */
  readonly credentials = new Map<string, string>();

  constructor(
    readonly socket: Socket,
    /** The agent key of the fleet behind this midtier: the hub checks it with each registration. */
    readonly agentKey: string,
  ) {
    socket.on('command:dispatch', (event: { agentId: string; command: AgentCommand }) => this.dispatched.push(event));
    socket.on('command:cancel', (event: { agentId: string; commandId: string }) => this.cancelled.push(event));
  }

  static async connect(hub: Pick<TestHub, 'url'>, key: string, agentKey: string): Promise<FakeMidtier> {
    const socket = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new FakeMidtier(socket, agentKey);
  }

  /** Registers as the agent would: with the node's credential once it has one. */
  async register(agentId: string, nodeName: string, connectionId: string = randomUUID()): Promise<Ack<RegisteredNode>> {
    const nodeCredential = this.credentials.get(agentId);
    const ack: Ack<RegisteredNode> = await this.socket.emitWithAck('node:register', {
      key: this.agentKey,
      connectionId,
      registration: agentRegistration({ agentId, nodeName, enrollment: ENROLLMENT, ...(nodeCredential ? { nodeCredential } : {}) }),
    });
    if (ack.ok && ack.nodeCredential) this.credentials.set(agentId, ack.nodeCredential);
    return ack;
  }

  update(agentId: string, update: object) {
    return this.socket.emitWithAck('command:update', { agentId, update });
  }

  commandFor(agentId: string, id: string) {
    return waitFor(`command ${id} handed down`, () => this.dispatched.find((event) => event.agentId === agentId && event.command.id === id)?.command);
  }
}
