import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export interface CredentialRevoked {
  keyId: string;
  accountId: string;
}

/** Tells the gateways that a credential stopped working, so they drop the connections that used it. */
@Injectable()
export class CredentialEvents {
  private readonly emitter = new EventEmitter();

  revoked(event: CredentialRevoked): void {
    this.emitter.emit('revoked', event);
  }

  onRevoked(listener: (event: CredentialRevoked) => void): () => void {
    this.emitter.on('revoked', listener);
    return () => this.emitter.off('revoked', listener);
  }
}
