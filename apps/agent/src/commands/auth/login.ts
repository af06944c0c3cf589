import { Flags } from '@oclif/core';
import { password as promptPassword, input as promptInput } from '@inquirer/prompts';
import type { LoginResponse, UserResponse } from '@thresh/protocol';
import { credentialsPath, readCredentials, saveCredentials } from '../../lib/credentials-store';
import { EXIT } from '../../lib/exit-codes';
import { HubClient } from '../../lib/hub-client';
import { HubCommand } from '../../lib/hub-command';
import { CaBundleError, readCaBundle } from '../../lib/tls-trust';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export default class AuthLogin extends HubCommand {
  static override summary = 'Log in to a hub and keep the token for later commands';
  static override description =
    'Prompts for the username and password. For scripts: --username with --password-stdin, or --token to store a token you ' +
    'already have. The token is kept in $THRESH_HOME/credentials.json (mode 0600); THRESH_TOKEN overrides it. A hub ' +
    'whose certificate is self-signed or from a private CA: --ca <PEM file> trusts it, for this login and every later command.';
  static override examples = [
    '<%= config.bin %> auth login --hub https://hub.example.com:7200',
    'echo "$PASSWORD" | <%= config.bin %> auth login --hub https://hub.example.com:7200 --username ci --password-stdin',
    'echo "$THRESH_TOKEN" | <%= config.bin %> auth login --hub https://hub.example.com:7200 --token-stdin',
    '<%= config.bin %> auth login --hub https://localhost:7200 --ca ~/.thresh-hub/tls/hub-cert.pem --username admin',
  ];
  static override flags = {
    username: Flags.string({ char: 'u', description: 'username (prompted for when omitted)' }),
    'password-stdin': Flags.boolean({ description: 'read the password from standard input', dependsOn: ['username'] }),
    token: Flags.string({ description: 'store this existing thresh_cli_ token instead of logging in', exclusive: ['username'] }),
    ca: Flags.string({ description: "PEM file of the hub's certificate or of the CA that signed it, to trust (kept with the login)" }),
    'token-stdin': Flags.boolean({ description: 'read an existing token from standard input (keeps it out of the process list)', exclusive: ['username', 'token'] }),
  };

  async run(): Promise<{ hub: string; username: string; role: string; expiresAt: string | null; file: string }> {
    const { flags } = await this.parse(AuthLogin);
    const hub = flags.hub || process.env['THRESH_HUB'] || readCredentials()?.hub;
    if (!hub) this.error('Which hub? Give --hub https://hub.example.com:7200', { exit: EXIT.usage });

    const ca = flags.ca ? this.caBundle(flags.ca) : readCredentials()?.hub === hub ? readCredentials()?.ca : undefined;
    let token: string;
    let user: UserResponse;
    let expiresAt: string | null = null;
    if (flags.token || flags['token-stdin']) {
      token = flags.token ?? (await readStdin()).trim();
      user = await new HubClient(hub, token, ca).request<UserResponse>('GET', '/api/auth/me');
    } else {
      const interactive = process.stdin.isTTY && !flags['password-stdin'];
      if (!flags.username && !process.stdin.isTTY) {
        this.error('No terminal to prompt on: use --username with --password-stdin, or --token', { exit: EXIT.usage });
      }
      // Prompts go to stderr, so --json output stays clean.
      const context = { output: process.stderr };
      const username = flags.username ?? (await promptInput({ message: 'Username' }, context));
      const password = interactive ? await promptPassword({ message: 'Password', mask: true }, context) : await readStdin();
      const login = await new HubClient(hub, undefined, ca).request<LoginResponse>('POST', '/api/auth/login', { username, password });
      token = login.token;
      user = login.user;
      expiresAt = login.expiresAt;
    }
    saveCredentials({ hub, token, username: user.username, ...(expiresAt ? { expiresAt } : {}), ...(ca ? { ca } : {}) });
    this.log(`Logged in to ${hub} as ${user.username} (${user.role}). Token saved in ${credentialsPath()}`);
    return { hub, username: user.username, role: user.role, expiresAt, file: credentialsPath() };
  }

  private caBundle(path: string): string {
    try {
      return readCaBundle(path).join('\n');
    } catch (error) {
      if (error instanceof CaBundleError) this.error(`--ca: ${error.message}`, { exit: EXIT.usage });
      throw error;
    }
  }
}
