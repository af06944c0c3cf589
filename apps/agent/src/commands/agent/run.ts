
import { buildRegistration, loadRunnableConfig } from '../../lib/agent-launch';
import { saveNodeCredential } from '../../lib/identity';
import { ThreshCommand } from '../../lib/thresh-command';
import { AgentRuntime } from '../../lib/agent-runtime';
import { clearRuntimeFiles, runningAgentPid, writePidFile } from '../../lib/agent-state';
import { EXIT } from '../../lib/exit-codes';
import { collectSample } from '../../lib/metrics-collector';
import { agentPaths } from '../../lib/paths';
import { SampleBuffer } from '../../lib/samples/sample-buffer';
import { CommandJournal } from '../../lib/commands/command-journal';
import { CommandRunner } from '../../lib/commands/command-runner';
import { localEnvironments } from '../../lib/environments/local-environments';

const SUPERVISE_INTERVAL_MS = 3000;

export default class AgentRun extends ThreshCommand {
  static override summary = 'Run the agent in the foreground until Ctrl-C';
  static override description =
    'Connects to the configured mid-tier, registers this node and reports every metrics-interval seconds. ' +
    'Holds a Socket.IO WebSocket, or polls over REST every poll-interval seconds (transport rest, or auto where WebSockets are blocked). ' +
    'Reconnects by itself with jittered backoff; with auto-failover, moves to fallback-url while midtier-url is down, and back once it is healthy. Use "thresh agent start" to run it in the background instead.';
  static override examples = ['<%= config.bin %> agent run'];

  async run(): Promise<void> {
    await this.parse(AgentRun);
    const config = loadRunnableConfig();
    const other = runningAgentPid();
    if (other && other !== process.pid) this.error(`An agent is already running (pid ${other}); stop it with "thresh agent stop"`, { exit: EXIT.failure });

    writePidFile(process.pid);
    const log = (message: string) => this.log(`${new Date().toISOString()} ${message}`);
    const paths = agentPaths();
    // A day of samples at the configured interval, and never more than 100 MB on disk.
    const maxSamples = Math.ceil(86_400 / config['metrics-interval']);
    const buffer = new SampleBuffer({ file: paths.sampleBuffer, cursorFile: paths.sampleCursor, maxSamples, maxBytes: 100 * 1024 * 1024 });
    if (buffer.size > 0) log(`${buffer.size} sample(s) from an earlier run wait to be sent`);

    const { manager, processes } = localEnvironments();
    for (const name of await processes.recoverInterrupted()) log(`environment ${name}: its deployment was interrupted when the agent stopped; marked failed`);
    const journal = new CommandJournal(paths.commandJournal);
    const drivers = await manager.availableDrivers();
    log(`runtime drivers: ${drivers.join(', ')}`);
    const runtime: AgentRuntime = new AgentRuntime({
      config,
      registration: { ...(await buildRegistration(config, this.config.version)), drivers },
      buffer,
      collect: async () => ({ ...(await collectSample()), environments: await manager.statuses() }),
      log,
      keepNodeCredential: saveNodeCredential,
      commands: {
        run: (command) => runner.handle(command),
        cancel: (commandId) => runner.cancel(commandId),
        registered: () => void runner.resendOutcomes().catch((error: Error) => log(`could not resend command outcomes: ${error.message}`)),
      },
    });
    const runner = new CommandRunner({ manager, journal, send: (update) => runtime.sendCommandUpdate(update), log });
    // Environments' commands run on whether or not this agent does: adopt them, and restart the ones that died.
    // Outcomes the hub has not heard go again, as its midtier may have lost it for a while without dropping us.
    const supervise = () =>
      void processes
        .supervise()
        .then((restarted) => restarted.forEach((name) => log(`environment ${name}: its command had stopped; started it again`)))
        .then(() => runner.resendOutcomes())
        .then(() => journal.prune())
        .catch((error: Error) => log(`supervising environments failed: ${error.message}`));
    supervise();
    const supervisor = setInterval(supervise, SUPERVISE_INTERVAL_MS);
    runtime.start();

    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        log(`${signal} received; stopping`);
        clearInterval(supervisor);
        runner.shutdown();
        void runtime.stop().then(resolve);
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
    clearRuntimeFiles(process.pid);
  }
}
