/** The registry a command's --registry, --at and --store name (shared by BaseCommand and the resolve fast path). */
import { Registry } from '../api/registry.js';
import { printable } from './terminal.js';

export interface RegistryFlags {
  registry?: string | undefined;
  at?: string | undefined;
  store?: string | undefined;
  remote?: string | undefined;
}

export async function openRegistry(flags: RegistryFlags): Promise<Registry> {
  const reg = await Registry.open({
    ...(flags.registry ? { dir: flags.registry } : {}),
    ...(flags.at ? { at: flags.at } : {}),
    ...(flags.store ? { store: flags.store } : {}),
    ...(flags.remote !== undefined ? { remote: flags.remote } : {}),
  });
  const asOf = reg.source.asOf;
  // Say which commit answered for a moment, so "what was in production on 1 November" names its evidence.
  if (asOf)
    process.stderr.write(
      printable(`note: --at ${flags.at} reads ${asOf.branch} as of ${asOf.moment}: commit ${asOf.commit.slice(0, 12)} (${asOf.date}, "${asOf.subject}")\n`),
    );
  return reg;
}
