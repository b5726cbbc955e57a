import busboy from 'busboy';
import type { Request } from 'express';
import { FormData } from 'undici';
import { GatewayError } from '../errors.js';
import { MAX_MODEL_ID_LENGTH } from '../providers/registry.js';
import { readRawBody } from './read-body.js';

export interface MultipartFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: [string, string][];
  files: MultipartFile[];
  /** The bytes as the client sent them, and their content type (with the boundary). */
  raw: Buffer;
  contentType: string;
}

const FIELDS = 200;
const FILES = 20;
const FIELD_BYTES = 1024 * 1024;

const broken = (detail: string): GatewayError => GatewayError.invalidRequest(`The multipart body could not be read: ${detail}`, null, 'invalid_multipart');

/** Reads a multipart/form-data upload within a size limit and parses it with busboy. The bytes are
 * kept: an upload whose fields go upstream unchanged is sent as it came (uploadBody). */
export const readMultipart = async (request: Request, limitBytes: number): Promise<MultipartBody> => {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) throw GatewayError.invalidRequest('This endpoint expects a multipart/form-data body.', null, 'invalid_content_type');
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: request.headers, limits: { fields: FIELDS, files: FILES, fieldSize: FIELD_BYTES } });
  } catch (error) {
    // Drained, so that the refusal can be answered on a connection still in order.
    request.resume();
    throw broken((error as Error).message);
  }
  const raw = await readRawBody(request, limitBytes);
  return { ...(await parseMultipart(parser, raw)), raw, contentType };
};

/** Parses bytes already read (and within the limit) with busboy. */
const parseMultipart = (parser: busboy.Busboy, raw: Buffer): Promise<Pick<MultipartBody, 'fields' | 'files'>> =>
  new Promise((resolve, reject) => {
    const body: Pick<MultipartBody, 'fields' | 'files'> = { fields: [], files: [] };
    let failed = false;
    const fail = (error: GatewayError) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    // Whatever busboy leaves out (past a limit, or cut) would still go upstream in the client's own
    // bytes, unseen by the checks: a second `model` field after 200 others passed the allowed models.
    parser.on('field', (name, value, info) => {
      // A model field past the limit is the model-id refusal every route gives (registry.ts).
      if (info.valueTruncated && name === 'model') fail(GatewayError.invalidRequest(`The model id is longer than ${FIELD_BYTES} bytes; model ids are at most ${MAX_MODEL_ID_LENGTH}.`, 'model', 'model_id_too_long'));
      else if (info.nameTruncated || info.valueTruncated) fail(broken(`the field "${name.slice(0, 64)}" is longer than ${FIELD_BYTES} bytes`));
      else body.fields.push([name, value]);
    });
    parser.on('fieldsLimit', () => fail(broken(`more than ${FIELDS} fields`)));
    parser.on('filesLimit', () => fail(broken(`more than ${FILES} files`)));
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A form cut inside a file errors the file's stream too; unhandled, that would end the process.
      stream.on('error', (error: Error) => fail(broken(error.message)));
      // 'end' (not 'close'): only a file read to its end counts, and busboy finishes after it. One
      // chunk (the usual case, the upload parsed in one piece) is a view of the bytes read: no copy.
      stream.on('end', () => {
        if (!failed) body.files.push({ field, filename: info.filename ?? 'file', mimeType: info.mimeType, data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
      });
    });
    parser.on('error', (error: Error) => fail(broken(error.message)));
    parser.on('close', () => {
      if (!failed) resolve(body);
    });
    parser.end(raw);
  });

export const multipartField = (body: MultipartBody, name: string): string | undefined => body.fields.find(([field]) => field === name)?.[1];

/** What goes upstream: the client's bytes as they are when no replacement changes a field (the
 * usual case: the model id is the upstream's own), else the upload rebuilt. Rebuilding a 10 MB
 * upload (copies, and undici's encoding a Blob in 64 KB reads) measured most of its added time. */
export const uploadBody = (body: MultipartBody, replacements: Record<string, string>): { body: Buffer | FormData; contentType?: string } => {
  const unchanged = Object.entries(replacements).every(([name, value]) => multipartField(body, name) === value && body.fields.filter(([field]) => field === name).length === 1);
  return unchanged ? { body: body.raw, contentType: body.contentType } : { body: toFormData(body, replacements) };
};

/** The upload rebuilt for the upstream, with some fields replaced (the model id). */
const toFormData = (body: MultipartBody, replacements: Record<string, string>): FormData => {
  const form = new FormData();
  for (const [name, value] of body.fields) form.append(name, replacements[name] ?? value);
  for (const file of body.files) form.append(file.field, new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.filename);
  return form;
};
