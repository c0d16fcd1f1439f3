import type { ErrorCode } from '../errors.ts';

/**
 * Largest request body the gateway reads. A GraphQL document within the token limit and its
 * variables take a few kilobytes, and REST bodies are empty, so 1 MiB leaves ample room.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export interface RequestBodyProblem {
  code: Extract<ErrorCode, 'PAYLOAD_TOO_LARGE' | 'LENGTH_REQUIRED'>;
  message: string;
}

/**
 * Checks a request's body from its headers alone, before anything reads it. Node's HTTP parser
 * reads exactly Content-Length bytes, so checking the header bounds the body. No stream then has to
 * count bytes as they arrive, as Yoga's own limit did for every POST at a cost in CPU. A body sent
 * in chunks without a length is rejected.
 */
export function checkRequestBody(request: Request, pathname: string): RequestBodyProblem | undefined {
  const length = request.headers.get('content-length');
  if (length === null) {
    if (request.headers.get('transfer-encoding') === null) return undefined;
    return {
      code: 'LENGTH_REQUIRED',
      message: 'Missing Content-Length: send the request body in one piece with a Content-Length header, not in chunks.',
    };
  }
  if (Number(length) > MAX_REQUEST_BODY_BYTES) {
    return {
      code: 'PAYLOAD_TOO_LARGE',
      message: `Request body of ${length} bytes is too large: the limit is ${MAX_REQUEST_BODY_BYTES} bytes. ${pathname === '/graphql' ? 'Send a smaller GraphQL document or fewer variables.' : 'REST routes need no request body: send an empty one.'}`,
    };
  }
  return undefined;
}
