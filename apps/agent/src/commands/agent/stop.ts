
import { setTimeout as sleep } from 'node:timers/promises';
import { ThreshCommand } from '../../lib/thresh-command';
import { clearRuntimeFiles, isProcessAlive, runningAgentPid } from '../../lib/agent-state';

const STOP_TIMEOUT_MS = 10_000;

/** The agent may exit between the check and the signal; that is what we wanted anyway. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export default class AgentStop extends ThreshCommand {
  static override summary = 'Stop the background agent';
  static override description = 'Sends SIGTERM and waits up to 10 seconds, then SIGKILL. Stopping a stopped agent is not an error.';
  static override examples = ['<%= config.bin %> agent stop'];
  static override enableJsonFlag = true;

  async run(): Promise<{ stopped: boolean; pid: number | null }> {
    await this.parse(AgentStop);
    const pid = runningAgentPid();
    if (!pid) {
      this.log('The agent is not running.');
      return { stopped: false, pid: null };
    }
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isProcessAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isProcessAlive(pid)) {
      this.warn(`The agent did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing it`);
      signal(pid, 'SIGKILL');
    }
    clearRuntimeFiles(pid);
    this.log(`Agent stopped (pid ${pid}).`);
    return { stopped: true, pid };
  }
}
