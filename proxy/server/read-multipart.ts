import busboy from 'busboy';
import type { Request } from 'express';
import { FormData } from 'undici';
import { GatewayError } from '../errors.js';
import { tooLarge } from './read-body.js';

export interface MultipartFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: [string, string][];
  files: MultipartFile[];
}

const broken = (detail: string): GatewayError => GatewayError.invalidRequest(`The multipart body could not be read: ${detail}`, null, 'invalid_multipart');

/** Parses a multipart/form-data upload with busboy, within a total size limit. */
export const readMultipart = (request: Request, limitBytes: number): Promise<MultipartBody> =>
  new Promise((resolve, reject) => {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(contentType)) {
      reject(GatewayError.invalidRequest('This endpoint expects a multipart/form-data body.', null, 'invalid_content_type'));
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      reject(tooLarge(limitBytes));
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { fileSize: limitBytes, fields: 200, files: 20, fieldSize: 1024 * 1024 } });
    } catch (error) {
      reject(broken((error as Error).message));
      return;
    }
    const body: MultipartBody = { fields: [], files: [] };
    let total = 0;
    let failed = false;
    const fail = (error: GatewayError) => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      request.resume();
      reject(error);
    };
    parser.on('field', (name, value) => {
      total += value.length;
      if (total > limitBytes) fail(tooLarge(limitBytes));
      else body.fields.push([name, value]);
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limitBytes) fail(tooLarge(limitBytes));
        else chunks.push(chunk);
      });
      stream.on('limit', () => fail(tooLarge(limitBytes)));
      // A form cut inside a file errors the file's stream too; unhandled, that would end the process.
      stream.on('error', (error: Error) => fail(broken(error.message)));
      // 'end' (not 'close'): only a file read to its end counts, and busboy finishes after it.
      stream.on('end', () => {
        if (!failed) body.files.push({ field, filename: info.filename ?? 'file', mimeType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    parser.on('error', (error: Error) => fail(broken(error.message)));
    parser.on('close', () => {
      if (!failed) resolve(body);
    });
    request.on('error', (error) => fail(broken(error.message)));
    request.pipe(parser);
  });

export const multipartField = (body: MultipartBody, name: string): string | undefined => body.fields.find(([field]) => field === name)?.[1];

/** The upload rebuilt for the upstream, with some fields replaced (the model id). */
export const toFormData = (body: MultipartBody, replacements: Record<string, string>): FormData => {
  const form = new FormData();
  for (const [name, value] of body.fields) form.append(name, replacements[name] ?? value);
  for (const file of body.files) form.append(file.field, new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.filename);
  return form;
};
