import { BlueprintCatalog } from '../blueprints/blueprint-catalog';
import { agentPaths } from '../paths';
import { DockerDriver } from './docker-driver';
import { EnvironmentManager } from './environment-manager';
import { ProcessDriver } from './process-driver';

/** This machine's environments, as the agent daemon and the local commands (thresh up, list, destroy) both see them. */
export function localEnvironments(): { manager: EnvironmentManager; processes: ProcessDriver } {
  const paths = agentPaths();
  const processes = new ProcessDriver(paths.environments);
  return { manager: new EnvironmentManager([new DockerDriver(), processes], new BlueprintCatalog(paths.blueprints)), processes };
}
