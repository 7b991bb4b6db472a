import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MeridianError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The JSON error body every route answers with: `{ "error": { "code", "message" } }`. */
export function errorBody(code: ErrorCode | string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps every error that reaches express to a status and a JSON body; internal details stay in the log. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const parserError = error as BodyParserError;
    if (error instanceof MeridianError) {
      if (error.status >= 500) logger.error({ err: error, requestId: req.get('x-request-id') }, 'request failed');
      res.status(error.status).json(errorBody(error.code, error.message));
    } else if (parserError.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('invalid_json', 'the request body is not valid JSON'));
    } else if (parserError.type === 'entity.too.large') {
      res.status(413).json(errorBody('payload_too_large', `the request body is larger than the limit of ${parserError.limit ?? '?'} bytes`));
    } else if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      res.status(415).json(errorBody('invalid_request', 'unsupported body encoding; send UTF-8'));
    } else {
      logger.error({ err: error, requestId: res.getHeader('x-request-id') }, 'unexpected error in a request');
      res.status(500).json(errorBody('internal_error', 'something went wrong; the request id in the X-Request-Id header helps find it in the logs'));
    }
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('route_not_found', `no route for ${req.method} ${req.path}`));
};
