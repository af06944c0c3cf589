
import { spawn } from 'node:child_process';
import { ThreshCommand } from '../../lib/thresh-command';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadRunnableConfig } from '../../lib/agent-launch';
import { isProcessAlive, readAgentState, runningAgentPid } from '../../lib/agent-state';
import { EXIT } from '../../lib/exit-codes';
import { agentPaths } from '../../lib/paths';

const START_TIMEOUT_MS = 10_000;

export default class AgentStart extends ThreshCommand {
  static override summary = 'Start the agent as a background daemon';
  static override description =
    'The daemon writes its pid to $THRESH_HOME/agent.pid and its log to $THRESH_HOME/agent.log. ' +
    'Check it with "thresh agent status", stop it with "thresh agent stop".';
  static override examples = ['<%= config.bin %> agent start'];
  static override enableJsonFlag = true;

  async run(): Promise<{ pid: number; log: string; alreadyRunning: boolean }> {
    await this.parse(AgentStart);
    const paths = agentPaths();
    const running = runningAgentPid();
    if (running) {
      this.log(`The agent is already running (pid ${running}).`);
      return { pid: running, log: paths.log, alreadyRunning: true };
    }
    // What is missing is said here rather than in the daemon's log.
    loadRunnableConfig();

    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    const logFd = openSync(paths.log, 'a', 0o600);
    const child = spawn(process.execPath, [process.argv[1], 'agent', 'run'], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: process.env,
    });
    child.unref();
    const pid = child.pid;
    if (!pid) this.error('Could not start the agent process', { exit: EXIT.failure });

    // Wait until the daemon has published its state, so "started" means it really runs.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!isProcessAlive(pid)) {
        const tail = readFileSync(paths.log, 'utf8').trim().split('\n').slice(-5).join('\n');
        this.error(`The agent exited at start. Last lines of ${paths.log}:\n${tail}`, { exit: EXIT.failure });
      }
      if (readAgentState()?.pid === pid) break;
      await sleep(100);
    }
    this.log(`Agent started (pid ${pid}). Log: ${paths.log}`);
    this.log('Check it with: thresh agent status');
    return { pid, log: paths.log, alreadyRunning: false };
  }
}
