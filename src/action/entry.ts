/** The action's entry point, bundled to action/dist/index.mjs: run the gate and exit with its verdict. */
import { runAction } from './main.js';

process.exitCode = await runAction();
