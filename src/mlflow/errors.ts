/**
 * MLflow's error shape: `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "…"}` with the HTTP status
 * MLflow's server gives that code (mlflow/protos/databricks.proto ErrorCode; mlflow/server/handlers.py).
 * MLflow clients raise `MlflowException`/`RestException` from it, so callers see the message as MLflow's.
 */
export type MlflowErrorCode =
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'INVALID_PARAMETER_VALUE'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'ENDPOINT_NOT_FOUND'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE';

const STATUS: Record<MlflowErrorCode, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  INVALID_PARAMETER_VALUE: 400,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  ENDPOINT_NOT_FOUND: 404,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
};

export class MlflowApiError extends Error {
  readonly status: number;
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = 'MlflowApiError';
    this.status = status ?? STATUS[errorCode];
  }

  body(): { error_code: MlflowErrorCode; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const notFound = (message: string) => new MlflowApiError('RESOURCE_DOES_NOT_EXIST', message);
export const invalid = (message: string) => new MlflowApiError('INVALID_PARAMETER_VALUE', message);
