import { Args } from '@oclif/core';
import { ThreshCommand } from '../../lib/thresh-command';
import { CREDENTIAL_PREFIX, CredentialKind, parseCredential } from '@thresh/protocol';
import { EXIT } from '../../lib/exit-codes';

const KIND_NAMES: Record<CredentialKind, string> = { agent: 'agent key', midtier: 'mid-tier key', user: 'user token', node: 'node credential' };

export default class KeyCheck extends ThreshCommand {
  static override summary = 'Tell offline whether a string is a well-formed thresh key, and of which type';
  static override description = 'Checks the format and the checksum only; it does not ask the hub whether the key is still valid. Exit 0 when well-formed, 1 when not.';
  static override examples = ['<%= config.bin %> key check thresh_live_default_…'];
  static override enableJsonFlag = true;
  static override args = { key: Args.string({ description: 'the string to check', required: true }) };

  async run(): Promise<{ valid: boolean; type?: CredentialKind; account?: string; reason?: string }> {
    const { args } = await this.parse(KeyCheck);
    const parsed = parseCredential(args.key);
    if (!parsed.ok) {
      const reason = parsed.reason === 'bad_checksum' ? 'the checksum does not match: a character is wrong or missing' : 'not in the thresh key format';
      if (!this.jsonEnabled()) this.error(`Not a valid key: ${reason}`, { exit: EXIT.failure });
      process.exitCode = EXIT.failure;
      return { valid: false, reason };
    }
    const { kind, account } = parsed.credential;
    this.log(`Valid ${KIND_NAMES[kind]} (${CREDENTIAL_PREFIX[kind]}…) of account "${account}".`);
    return { valid: true, type: kind, account };
  }
}
