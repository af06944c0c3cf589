import type { Blueprint, EnvironmentInfo, RuntimeDriver as DriverName } from '@thresh/protocol';

/** How a deployment tells what it is doing: steps for the progress display, and the output of what it runs. */
export interface DeployProgress {
  step(name: string, status: 'started' | 'done' | 'failed', message?: string): void;
  output(chunk: string): void;
}

/** Raised for a failure the user caused or can fix (a bad name, an existing environment, a failing script). */
export class EnvironmentError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'conflict' | 'failed' | 'validation_failed' = 'failed',
  ) {
    super(message);
  }
}

/** One way of running environments on this node: host processes, or Docker containers. */
export interface RuntimeDriver {
  readonly name: DriverName;
  /** Whether this node can use the driver at all (a Docker socket, for docker). */
  available(): Promise<boolean>;
  /** Creates the environment, runs its setup and post-install scripts, starts its command; rejects with EnvironmentError. */
  up(name: string, blueprint: Blueprint, progress: DeployProgress, signal: AbortSignal): Promise<EnvironmentInfo>;
  start(name: string): Promise<EnvironmentInfo>;
  stop(name: string): Promise<EnvironmentInfo>;
  /** Stops and removes the environment with its volumes. */
  destroy(name: string): Promise<void>;
  list(): Promise<EnvironmentInfo[]>;
}
