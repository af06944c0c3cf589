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

/** How a deployment is kept and run, beyond its blueprint: what a stack needs of its services. */
export interface DeployOptions {
  /** Who manages the environment ("stack:web"): listed with it, and checked before anything replaces it. */
  owner?: string;
  /** A digest of what was deployed, so a later deployment can tell whether anything changed. */
  revision?: string;
  /** When the command is started again after it exits; 'on-failure' (a non-zero exit) unless given. */
  restart?: RestartPolicy;
  /** Docker: a blueprint without a command runs the image's own entrypoint rather than idling for a shell. */
  imageCommand?: boolean;
  /** Docker: share the host's network, so services reach each other as 127.0.0.1:<port> like process services. */
  hostNetwork?: boolean;
}

export type RestartPolicy = 'no' | 'on-failure' | 'always';

/** One way of running environments on this node: host processes, or Docker containers. */
export interface RuntimeDriver {
  readonly name: DriverName;
  /** Whether this node can use the driver at all (a Docker socket, for docker). */
  available(): Promise<boolean>;
  /** Creates the environment, runs its setup and post-install scripts, starts its command; rejects with EnvironmentError. */
  up(name: string, blueprint: Blueprint, progress: DeployProgress, signal: AbortSignal, options?: DeployOptions): Promise<EnvironmentInfo>;
  start(name: string): Promise<EnvironmentInfo>;
  stop(name: string): Promise<EnvironmentInfo>;
  /** Stops and removes the environment with its volumes; with keepVolumes, the next `up` of that name finds them again. */
  destroy(name: string, options?: { keepVolumes?: boolean }): Promise<void>;
  list(): Promise<EnvironmentInfo[]>;
}
