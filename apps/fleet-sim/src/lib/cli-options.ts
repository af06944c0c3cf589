import { claimedCredentialKind, describeCredentialKind, parseCredential } from '@thresh/protocol';
import { parseArgs } from 'node:util';
import { LINK_NAMES, LinkName } from './links/agent-link';
import { DEFAULT_FLEET_OPTIONS, FleetSimulatorOptions, optionProblem } from './fleet-simulator';

/** The environment variable read when --key is not given: a key on the command line shows in process listings. */
export const KEY_ENVIRONMENT_VARIABLE = 'FLEET_SIM_KEY';

export interface CliOptions {
  fleet: FleetSimulatorOptions;
  durationSeconds: number;
  progressIntervalSeconds: number;
  json: boolean;
}

export type CliParseResult = { kind: 'run'; options: CliOptions } | { kind: 'help' } | { kind: 'invalid'; message: string };

export const USAGE = `Usage: node dist/apps/fleet-sim/main.js --url <gateway> --key <thresh_live_…> [options]

  --url <url>                  midtier or hub base URL (both serve the agent gateway)
  --key <key>                  agent key (thresh_live_…); or set ${KEY_ENVIRONMENT_VARIABLE}
  --agents <n>                 simulated agents (default ${DEFAULT_FLEET_OPTIONS.agents})
  --transport socketio|rest    how agents talk to the gateway (default ${DEFAULT_FLEET_OPTIONS.transport})
  --interval <s>               seconds between one agent's reports (default ${DEFAULT_FLEET_OPTIONS.intervalSeconds})
  --samples-per-report <n>     samples in each report (default ${DEFAULT_FLEET_OPTIONS.samplesPerReport})
  --environments <n>           environments listed in each sample (default ${DEFAULT_FLEET_OPTIONS.environments})
  --duration <s>               seconds to run, ramp included (default 60)
  --ramp <s>                   agents connect spread over this many seconds (default ${DEFAULT_FLEET_OPTIONS.rampSeconds})
  --poll-interval <s>          rest: pause between command polls (default ${DEFAULT_FLEET_OPTIONS.pollIntervalSeconds})
  --poll-wait <s>              rest: how long a poll may be held open (default ${DEFAULT_FLEET_OPTIONS.pollWaitSeconds})
  --name-prefix <prefix>       node names are <prefix><n> (default ${DEFAULT_FLEET_OPTIONS.namePrefix})
  --random-ids                 fresh agent ids (new nodes) instead of ids derived from the node names
  --insecure                   accept any TLS certificate
  --progress-interval <s>      seconds between progress lines (default 5; 0: none)
  --json                       print the final stats as JSON on stdout (progress goes to stderr)
  --help                       this text

Exit code 0 when every agent registered and every registration, report and command update sent was
acknowledged; 1 otherwise (also for invalid options, an unreachable gateway or a refused key).`;

/** Reads argv (without node and the script); `environment` for the key's fallback. */
export function parseCliOptions(argv: string[], environment: NodeJS.ProcessEnv): CliParseResult {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        agents: { type: 'string' },
        transport: { type: 'string' },
        interval: { type: 'string' },
        'samples-per-report': { type: 'string' },
        environments: { type: 'string' },
        duration: { type: 'string' },
        ramp: { type: 'string' },
        'poll-interval': { type: 'string' },
        'poll-wait': { type: 'string' },
        'name-prefix': { type: 'string' },
        'random-ids': { type: 'boolean', default: false },
        insecure: { type: 'boolean', default: false },
        'progress-interval': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return { kind: 'invalid', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };

  const url = values.url;
  if (!url) return { kind: 'invalid', message: '--url is required' };
  const apiKey = values.key ?? environment[KEY_ENVIRONMENT_VARIABLE];
  if (!apiKey) return { kind: 'invalid', message: `--key (or ${KEY_ENVIRONMENT_VARIABLE}) is required` };
  const keyProblem = agentKeyProblem(apiKey);
  if (keyProblem) return { kind: 'invalid', message: keyProblem };
  const transport = values.transport ?? DEFAULT_FLEET_OPTIONS.transport;
  if (!isLinkName(transport)) return { kind: 'invalid', message: `--transport: expected ${LINK_NAMES.join(' or ')}, got "${transport}"` };

  const numbers = {
    agents: numberOption(values.agents, DEFAULT_FLEET_OPTIONS.agents),
    intervalSeconds: numberOption(values.interval, DEFAULT_FLEET_OPTIONS.intervalSeconds),
    samplesPerReport: numberOption(values['samples-per-report'], DEFAULT_FLEET_OPTIONS.samplesPerReport),
    environments: numberOption(values.environments, DEFAULT_FLEET_OPTIONS.environments),
    rampSeconds: numberOption(values.ramp, DEFAULT_FLEET_OPTIONS.rampSeconds),
    pollIntervalSeconds: numberOption(values['poll-interval'], DEFAULT_FLEET_OPTIONS.pollIntervalSeconds),
    pollWaitSeconds: numberOption(values['poll-wait'], DEFAULT_FLEET_OPTIONS.pollWaitSeconds),
  };
  const durationSeconds = numberOption(values.duration, 60);
  const progressIntervalSeconds = numberOption(values['progress-interval'], 5);
  const numbersByFlag: Record<string, number> = {
    agents: numbers.agents,
    interval: numbers.intervalSeconds,
    'samples-per-report': numbers.samplesPerReport,
    environments: numbers.environments,
    ramp: numbers.rampSeconds,
    'poll-interval': numbers.pollIntervalSeconds,
    'poll-wait': numbers.pollWaitSeconds,
    duration: durationSeconds,
    'progress-interval': progressIntervalSeconds,
  };
  const notNumbers = Object.keys(numbersByFlag).filter((flag) => Number.isNaN(numbersByFlag[flag]));
  if (notNumbers.length > 0) return { kind: 'invalid', message: `not a number: ${notNumbers.map((flag) => `--${flag} ${values[flag as keyof typeof values]}`).join(', ')}` };
  if (!(durationSeconds > 0)) return { kind: 'invalid', message: '--duration: more than 0 seconds' };
  if (!(progressIntervalSeconds >= 0)) return { kind: 'invalid', message: '--progress-interval: 0 seconds or more' };

  const fleet: FleetSimulatorOptions = {
    ...DEFAULT_FLEET_OPTIONS,
    ...numbers,
    url,
    apiKey,
    transport,
    namePrefix: values['name-prefix'] ?? DEFAULT_FLEET_OPTIONS.namePrefix,
    randomIds: values['random-ids'],
    tlsVerify: !values.insecure,
  };
  const problem = optionProblem(fleet);
  if (problem) return { kind: 'invalid', message: `--${problem}` };
  return { kind: 'run', options: { fleet, durationSeconds, progressIntervalSeconds, json: values.json } };
}

/** Checked offline, as the gateway would: a typo or a mid-tier key would only make every agent fail the same way. */
function agentKeyProblem(key: string): string | undefined {
  const claimed = claimedCredentialKind(key);
  if (claimed && claimed !== 'agent') return `--key: expected ${describeCredentialKind('agent')}, got ${describeCredentialKind(claimed)}`;
  const parsed = parseCredential(key);
  if (!parsed.ok) return `--key: not ${describeCredentialKind('agent')} (${parsed.reason === 'bad_checksum' ? 'its checksum does not match: a typo?' : 'malformed'})`;
  return undefined;
}

function isLinkName(value: string): value is LinkName {
  return (LINK_NAMES as readonly string[]).includes(value);
}

/** NaN for anything that is not a plain number, so that "10s" is reported rather than read as 10. */
function numberOption(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  return raw.trim() === '' ? Number.NaN : Number(raw);
}
