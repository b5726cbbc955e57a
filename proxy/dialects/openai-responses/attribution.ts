import type { BodyAttribution } from '../../usage/attribution.js';
import type { ResponsesRequest } from './wire-types.js';

/** A Responses request's `metadata` as tags and its end user (`safety_identifier`, else `user`). */
export const responsesAttribution = (body: ResponsesRequest): BodyAttribution => ({ tags: body.metadata, user: body.safety_identifier ?? body.user });
