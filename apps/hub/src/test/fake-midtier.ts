import { AgentCommand, MIDTIER_NAMESPACE } from '@thresh/protocol';
import { agentRegistration, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { TestHub } from './test-hub';

/** A midtier as the hub sees it: one socket that registers nodes, hears commands for them and reports back. */
export class FakeMidtier {
  readonly dispatched: { agentId: string; command: AgentCommand }[] = [];
  readonly cancelled: { agentId: string; commandId: string }[] = [];

  constructor(readonly socket: Socket) {
    socket.on('command:dispatch', (event: { agentId: string; command: AgentCommand }) => this.dispatched.push(event));
    socket.on('command:cancel', (event: { agentId: string; commandId: string }) => this.cancelled.push(event));
  }

  static async connect(hub: TestHub, key: string): Promise<FakeMidtier> {
    const socket = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new FakeMidtier(socket);
  }

  register(agentId: string, nodeName: string) {
    return this.socket.emitWithAck('node:register', { keyId: randomUUID(), connectionId: randomUUID(), registration: agentRegistration({ agentId, nodeName }) });
  }

  update(agentId: string, update: object) {
    return this.socket.emitWithAck('command:update', { agentId, update });
  }

  commandFor(agentId: string, id: string) {
    return waitFor(`command ${id} handed down`, () => this.dispatched.find((event) => event.agentId === agentId && event.command.id === id)?.command);
  }
}
