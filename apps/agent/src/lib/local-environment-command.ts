import { EnvironmentError } from './environments/runtime-driver';
import { EXIT } from './exit-codes';
import { ThreshCommand } from './thresh-command';

const EXIT_FOR: Record<EnvironmentError['code'], number> = {
  not_found: EXIT.notFound,
  validation_failed: EXIT.usage,
  conflict: EXIT.failure,
  failed: EXIT.failure,
};

/** A command on this machine's own environments: no hub involved, errors said plainly with their exit code. */
export abstract class LocalEnvironmentCommand extends ThreshCommand {
  static override enableJsonFlag = true;

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof EnvironmentError) {
      process.exitCode = EXIT_FOR[error.code];
      if (!this.jsonEnabled()) this.error(error.message, { exit: EXIT_FOR[error.code] });
    }
    return super.catch(error);
  }
}
