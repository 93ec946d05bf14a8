/**
 * oclif's help, with one correction: a command that takes a variable number of arguments (strict =
 * false) shows every argument with "...", so `register` read `MODEL... [PATHS...]`, as if it took
 * several models. Only the last argument takes several values: only it keeps the ellipsis.
 */
import { CommandHelp, Help, type Command } from '@oclif/core';

class VariadicLastCommandHelp extends CommandHelp {
  protected override defaultUsage(): string {
    return onlyLastVariadic(super.defaultUsage(), this.command);
  }

  protected override args(args: Command.Arg.Any[]): [string, string | undefined][] | undefined {
    const rows = super.args(args);
    return rows?.map(([name, description]) => [onlyLastVariadic(name, this.command), description]);
  }
}

function onlyLastVariadic(text: string, command: Command.Loadable): string {
  if (command.strict !== false) return text;
  const names = Object.values(command.args ?? {}).map((a) => a.name.toUpperCase());
  let out = text;
  for (const name of names.slice(0, -1)) out = out.replace(new RegExp(`\\b${name}\\.\\.\\.`, 'g'), name);
  return out;
}

export default class ModelregHelp extends Help {
  override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    return new VariadicLastCommandHelp(command, this.config, this.opts);
  }
}
