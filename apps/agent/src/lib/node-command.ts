import { HubApiError } from './hub-client';
import { HubCommand } from './hub-command';
import { EXIT } from './exit-codes';

/** Commands about one node: an unknown or ambiguous node name is "not found" to scripts (exit 4). */
export abstract class NodeCommand extends HubCommand {
  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof HubApiError && error.status === 409) return super.catch(new HubApiError(error.message, 409, EXIT.notFound));
    return super.catch(error);
  }
}
