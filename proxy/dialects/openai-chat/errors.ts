import type { GatewayError } from '../../errors.js';
import type { ErrorDialect } from '../../server/error-exit.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export const openAIErrorBody = (error: GatewayError): OpenAIErrorBody => ({ error: { message: error.message, type: error.type, param: error.param, code: error.code } });

/** OpenAI's errors: `{"error":{message,type,param,code}}` with the gateway's status, and in a stream a
 * last `data:` event of the same body, which the official SDKs raise as an APIError. */
export const openAIErrors: ErrorDialect = {
  status: (error) => error.status,
  body: (error) => JSON.stringify(openAIErrorBody(error)),
  event: (error) => `data: ${JSON.stringify(openAIErrorBody(error))}\n\n`,
};
