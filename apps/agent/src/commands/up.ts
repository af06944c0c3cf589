import { Args, Flags } from '@oclif/core';
import type { EnvironmentInfo } from '@thresh/protocol';
import { RUNTIME_DRIVERS } from '@thresh/protocol';
import ora from 'ora';
import { describeStep } from '../lib/command-progress';
import { environmentSummary } from '../lib/environment-format';
import { localEnvironments } from '../lib/environments/local-environments';
import { LocalEnvironmentCommand } from '../lib/local-environment-command';

export default class Up extends LocalEnvironmentCommand {
  static override summary = 'Deploy a blueprint on this machine as a new environment';
  static override description =
    'Runs the blueprint\'s setup and post-install scripts with its environment variables, then starts its command. ' +
    'The running agent keeps the command running (restarting it when it dies); without an agent it runs until it exits. ' +
    '"thresh blueprints" lists the blueprints; add your own as JSON or YAML files in $THRESH_HOME/blueprints.';
  static override examples = [
    '<%= config.bin %> up python-dev --name notebooks',
    '<%= config.bin %> up my-api --name api --driver process',
    '<%= config.bin %> up node-dev --name web --verbose',
  ];
  static override args = { blueprint: Args.string({ description: 'blueprint name', required: true }) };
  static override flags = {
    name: Flags.string({ char: 'n', description: 'name of the new environment (lowercase letters, digits, "-", "_")', required: true }),
    driver: Flags.option({ options: RUNTIME_DRIVERS, description: 'runtime driver (default: docker where there is an engine, else process)' })(),
    verbose: Flags.boolean({ char: 'v', description: 'print what the scripts print as they run' }),
  };

  async run(): Promise<EnvironmentInfo> {
    const { args, flags } = await this.parse(Up);
    const { manager } = localEnvironments();
    const interactive = !this.jsonEnabled() && Boolean(process.stderr.isTTY);
    const spinner = interactive ? ora({ stream: process.stderr }) : null;
    let output = '';
    const environment = await manager
      .up(
        args.blueprint,
        flags.name,
        {
          step: (name, status, message) => {
            if (status === 'started') {
              if (spinner) spinner.start(name);
              return;
            }
            spinner?.stop();
            if (!this.jsonEnabled()) this.log(describeStep({ name, status, message, at: new Date().toISOString() }));
          },
          output: (chunk) => {
            output += chunk;
            if (flags.verbose && !this.jsonEnabled()) process.stderr.write(chunk);
          },
        },
        new AbortController().signal,
        flags.driver,
      )
      .catch((error: Error) => {
        spinner?.stop();
        if (output && !flags.verbose && !this.jsonEnabled()) this.logToStderr(`Output (last lines):\n${output.trimEnd().split('\n').slice(-20).map((line) => `  | ${line}`).join('\n')}`);
        throw error;
      });
    this.log(`Environment ${environmentSummary(environment)}`);
    return environment;
  }
}
