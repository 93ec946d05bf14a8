import { LifecycleCommand } from '../cli/lifecycle.js';

export default class Deprecate extends LifecycleCommand {
  static override summary = 'Mark a version deprecated: hidden from latest, and it cannot be promoted.';
  static override description = 'Adds the `deprecated` mark (who, when, why) to the version file — the one change a merged version file allows. A version holding a stage cannot be deprecated; move the stage first.';
  static override examples = ['<%= config.bin %> deprecate sentiment@1.0.0 --reason "tokenizer bug on emoji"'];
  protected readonly kind = 'deprecate';
}
