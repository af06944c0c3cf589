import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppException, FailureLimiter, VerifiedKeyCache } from '@thresh/server-core';
import { AgentIdentity, claimedCredentialKind, describeCredentialKind, parseCredential, printable } from '@thresh/protocol';
import { AGENT_GATEWAY_OPTIONS, AgentGatewayOptions } from './agent-gateway.options';
import { AgentUplink } from './agent-uplink';

/** Checks agent keys: the format here, the rest by the uplink, remembered briefly so reconnect storms stay local. */
@Injectable()
export class AgentAuthService {
  private readonly logger = new Logger('AgentAuth');
  private readonly cache: VerifiedKeyCache<AgentIdentity>;
  // Bad agents are stopped here, per address, before they cost the hub anything.
  private readonly failures = new FailureLimiter('agent key checks', { failures: 20, windowSeconds: 60, blockSeconds: 60 });

  constructor(
    private readonly uplink: AgentUplink,
    @Inject(AGENT_GATEWAY_OPTIONS) private readonly options: AgentGatewayOptions,
  ) {
    this.cache = new VerifiedKeyCache(options.keyCacheSeconds * 1000);
    uplink.events.on('key:revoked', ({ keyId }) => this.cache.forgetKey(keyId));
  }

  async authenticate(key: unknown, source: string): Promise<AgentIdentity> {
    return this.failures.attempt(
      source,
      () => this.check(key, source),
      (error) => {
        if (!(error instanceof AppException) || (error.code !== 'unauthorized' && error.code !== 'forbidden')) return false;
        const claimed = typeof key === 'string' ? claimedCredentialKind(key) : undefined;
        this.logger.warn(`rejected ${claimed ? describeCredentialKind(claimed) : 'an unrecognised credential'} from ${printable(source)}: ${error.message}`);
        return true;
      },
    );
  }

  private async check(key: unknown, source: string): Promise<AgentIdentity> {
    if (typeof key !== 'string' || key === '') {
      throw new AppException('unauthorized', `Missing credential: expected ${describeCredentialKind('agent')}`);
    }
    const claimed = claimedCredentialKind(key);
    if (claimed && claimed !== 'agent') {
      throw new AppException('forbidden', `Wrong credential type: expected ${describeCredentialKind('agent')}, got ${describeCredentialKind(claimed)}`);
    }
    if (!parseCredential(key).ok) {
      throw new AppException('unauthorized', `Malformed credential: expected ${describeCredentialKind('agent')}`);
    }
    return this.cache.get(key, () => this.uplink.verifyKey(key, source));
  }
}
