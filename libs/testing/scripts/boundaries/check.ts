// The boundaries tier: every check below proves a rule between the workspace's parts holds, and fails the tier if not.
import { domainContracts } from './domain-contracts';
import { moduleBoundaries } from './module-boundaries';

/** One rule and its probes: each result a line the tier prints, ok or FAIL. */
export interface BoundaryCheck {
  name: string;
  run(): Promise<{ ok: boolean; what: string }[]>;
}

const checks: BoundaryCheck[] = [moduleBoundaries, domainContracts];

async function main(): Promise<number> {
  let failures = 0;
  for (const check of checks) {
    console.log(`${check.name}:`);
    for (const { ok, what } of await check.run()) {
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
      if (!ok) failures++;
    }
  }
  return failures;
}

void main().then((failures) => process.exit(failures ? 1 : 0));
