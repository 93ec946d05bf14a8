/** The MLflow importer's entry point: what `modelreg import mlflow` uses. */
export { importMlflow, authorOf, type ImportOptions, type ImportResult, type ImportedStep } from './run.js';
