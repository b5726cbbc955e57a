import type { ExtensionServices } from '../services.js';

/** One palette command; each lives in its own file under extension/commands/. */
export interface ModapiCommand {
  readonly id: string;
  run(services: ExtensionServices): Promise<void> | void;
}
