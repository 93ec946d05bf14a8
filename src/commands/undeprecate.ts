import { LifecycleCommand } from '../cli/lifecycle.js';

export default class Undeprecate extends LifecycleCommand {
  static override summary = 'Remove the deprecation mark from a version.';
  static override examples = ['<%= config.bin %> undeprecate sentiment@1.0.0 --reason "false alarm"'];
  protected readonly kind = 'undeprecate';
}
