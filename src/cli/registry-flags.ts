/** The registry a command's --registry, --at and --store name (shared by BaseCommand and the resolve fast path). */
import { Registry } from '../api/registry.js';

export interface RegistryFlags {
  registry?: string | undefined;
  at?: string | undefined;
  store?: string | undefined;
}

export function openRegistry(flags: RegistryFlags): Promise<Registry> {
  return Registry.open({ ...(flags.registry ? { dir: flags.registry } : {}), ...(flags.at ? { at: flags.at } : {}), ...(flags.store ? { store: flags.store } : {}) });
}
