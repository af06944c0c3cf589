import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppException, FailureLimiter } from '@thresh/server-core';
import { AgentIdentity, claimedCredentialKind, describeCredentialKind, parseCredential } from '@thresh/protocol';
import { AGENT_GATEWAY_OPTIONS, AgentGatewayOptions } from './agent-gateway.options';
import { AgentUplink } from './agent-uplink';

interface CachedIdentity {
  identity: AgentIdentity;
  until: number;
}

/** Checks agent keys: the format here, the rest by the uplink, remembered briefly so reconnect storms stay local. */
@Injectable()
export class AgentAuthService {
  private readonly logger = new Logger('AgentAuth');
  private readonly cache = new Map<string, CachedIdentity>();
  // Bad agents are stopped here, per address, before they cost the hub anything.
  private readonly failures = new FailureLimiter('agent key checks', { failures: 20, windowSeconds: 60, blockSeconds: 60 });

  constructor(
    private readonly uplink: AgentUplink,
    @Inject(AGENT_GATEWAY_OPTIONS) private readonly options: AgentGatewayOptions,
  ) {
    uplink.events.on('key:revoked', ({ keyId }) => this.forgetKey(keyId));
  }

  async authenticate(key: unknown, source: string): Promise<AgentIdentity> {
    return this.failures.attempt(
      source,
      () => this.check(key, source),
      (error) => {
        if (!(error instanceof AppException) || (error.code !== 'unauthorized' && error.code !== 'forbidden')) return false;
        const claimed = typeof key === 'string' ? claimedCredentialKind(key) : undefined;
        this.logger.warn(`rejected ${claimed ? describeCredentialKind(claimed) : 'an unrecognised credential'} from ${source}: ${error.message}`);
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
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.identity;
    const identity = await this.uplink.verifyKey(key, source);
    this.cache.set(key, { identity, until: Date.now() + this.options.keyCacheSeconds * 1000 });
    return identity;
  }

  forgetKey(keyId: string): void {
    for (const [key, entry] of this.cache) if (entry.identity.keyId === keyId) this.cache.delete(key);
  }
}
