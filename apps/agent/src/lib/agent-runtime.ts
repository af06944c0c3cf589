import type { AgentRegistration, CommandUpdate } from '@thresh/protocol';
import type { RunnableConfig } from './agent-launch';
import { ConnectionStatus } from './agent-state';
import { CommandExecutor, CommandHandlers } from './commands/command-executor';
import { LinkSelector, LinkSelectorOptions } from './links/link-selector';
import { SampleValues } from './metrics-collector';
import { SampleBuffer } from './samples/sample-buffer';
import { SamplePipeline } from './samples/sample-pipeline';
import { StatusView } from './status/status-view';

export interface AgentRuntimeOptions extends Pick<LinkSelectorOptions, 'createLink' | 'healthStatus' | 'websocketRetryMs' | 'failoverTimeoutMs' | 'primaryProbeIntervalMs'> {
  config: RunnableConfig;
  registration: AgentRegistration;
  buffer: SampleBuffer;
  collect: () => Promise<SampleValues>;
  log: (message: string) => void;
  /** Keeps a node credential the hub issued (0600 in THRESH_HOME), before the agent goes on. */
  keepNodeCredential: (credential: string) => void;
  commands?: CommandHandlers;
}

/** This node's agent: one registered link, the samples it carries, the commands it brings, and what status shows. */
export class AgentRuntime {
  private readonly statusView: StatusView;
  private readonly links: LinkSelector;
  private readonly samples: SamplePipeline;
  private readonly commands: CommandExecutor;

  constructor(private readonly options: AgentRuntimeOptions) {
    const { config, registration, buffer, log } = options;
    const now = new Date().toISOString();
    this.statusView = new StatusView(
      {
        pid: process.pid,
        agentId: registration.agentId,
        status: 'connecting',
        url: config['midtier-url'],
        target: 'primary',
        targetUrl: config['midtier-url'],
        targetSince: now,
        transport: config.transport,
        fallbackReason: null,
        startedAt: now,
        lastReportAt: null,
        nodeName: registration.nodeName,
        nodeId: null,
        lastError: null,
        bufferedSamples: buffer.size,
        droppedSamples: buffer.dropped,
      },
      log,
    );
    const link = () => this.links.registeredLink;
    this.samples = new SamplePipeline({ agentId: registration.agentId, intervalMs: config['metrics-interval'] * 1000, collect: options.collect, buffer, link, status: this.statusView, log });
    this.commands = new CommandExecutor({ link, handlers: options.commands, log });
    this.links = new LinkSelector({
      ...options,
      status: this.statusView,
      events: {
        registered: (node) => {
          this.samples.registered(node.lastSeq);
          this.commands.registered();
        },
        commandRun: (command) => this.commands.run(command),
        commandCancel: (commandId) => this.commands.cancel(commandId),
      },
    });
  }

  start(): void {
    const { config } = this.options;
    const over = this.links.start();
    this.samples.start();
    const { nodeName, agentId } = this.statusView.current;
    this.options.log(
      `connecting to ${config['midtier-url']} as ${nodeName} (agent ${agentId}) over ${over}` + (config.transport === 'auto' ? ', REST polling if WebSockets are blocked' : ''),
    );
  }

  async stop(): Promise<void> {
    this.samples.stop();
    await this.links.stop();
  }

  get status(): ConnectionStatus {
    return this.statusView.current.status;
  }

  /** True once the hub has the update; false when it must be sent again later. */
  sendCommandUpdate(update: CommandUpdate): Promise<boolean> {
    return this.commands.sendUpdate(update);
  }
}
