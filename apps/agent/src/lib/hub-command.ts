import { Flags } from '@oclif/core';
import { ThreshCommand } from './thresh-command';
import { resolveCredentials } from './credentials-store';
import { EXIT } from './exit-codes';
import { HubClient } from './hub-client';

/** A command that talks to the hub as the logged-in user (or THRESH_TOKEN). */
export abstract class HubCommand extends ThreshCommand {
  static override enableJsonFlag = true;
  static override baseFlags = {
    hub: Flags.string({ description: 'hub URL (default: the one you logged in to, or $THRESH_HUB)', helpGroup: 'HUB' }),
  };

  protected async client(hubFlag?: string): Promise<HubClient> {
    const { hub, token, ca } = resolveCredentials(hubFlag);
    if (!hub || !token) {
      this.error('Not logged in: run "thresh auth login --hub https://hub.example.com:7200" or set THRESH_TOKEN and THRESH_HUB', {
        exit: EXIT.auth,
      });
    }
    return new HubClient(hub, token, ca);
  }
}
