import { createWriteStream } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";

// An upload of import files (SPEC section 11): the multipart body is streamed straight to files
// in a folder of the import's own, never held in memory, and stopped as soon as it passes the
// size limit. File names are checked before anything is written: only a plain file name (no
// path, not `.` or `..`) becomes a file of the folder.

/** Default limit of one upload, all files together: 1 GB (MAX_UPLOAD_BYTES moves it). */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;
/** An import folder holds a handful of files; more is a mistake or an attack. */
export const MAX_UPLOAD_FILES = 100;

export function maxUploadBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_UPLOAD_BYTES;
  const value = raw ? Number(raw) : DEFAULT_MAX_UPLOAD_BYTES;
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_UPLOAD_BYTES;
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

/** Why a name cannot be an import file's, or null when it can. */
export function badFileName(name: string): string | null {
  if (name === "") return "a file without a name";
  if (name === "." || name === "..") return `"${name}" is not a file name`;
  if (/[/\\]/.test(name)) return `"${name}" holds a path: give the file's own name (plans.csv, claim_lines.csv, …)`;
  if (/[\u0000-\u001f]/.test(name)) return `the file name ${JSON.stringify(name)} holds control characters`;
  if (name.length > 255) return "a file name longer than 255 characters";
  return null;
}

/**
 * Writes the `files` parts of a multipart request into `folder`; returns their names. Throws
 * UploadError (400: not a multipart form, no file, a bad or repeated name, too many files;
 * 413: more than `maxBytes` in all). Whatever was written before an error stays in `folder`,
 * which the caller removes.
 */
export async function receiveUpload(request: Request, folder: string, maxBytes: number): Promise<string[]> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data") || !request.body) throw new UploadError("The upload is not a form with files (multipart/form-data).", 400);
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const names: string[] = [];
  let total = 0;
  const writes: Promise<void>[] = [];
  const source = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
  const parser = busboy({ headers: { "content-type": type }, limits: { files: MAX_UPLOAD_FILES, fileSize: maxBytes, fields: 20, parts: MAX_UPLOAD_FILES + 20 } });
  let failure: UploadError | null = null;
  const fail = (error: UploadError) => {
    failure ??= error;
  };

  parser.on("file", (field, stream, info) => {
    const name = info.filename ?? "";
    const problem = field !== "files" ? `an unexpected form field "${field}"` : badFileName(name);
    if (problem || names.includes(name)) {
      fail(new UploadError(problem ? `Not imported: ${problem}.` : `Not imported: the file ${name} was sent twice.`, 400));
      stream.resume();
      return;
    }
    names.push(name);
    // Counts every file's bytes together; past the limit, stops reading the request at once
    // (the client is answered 413 rather than made to send the rest).
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        total += chunk.length;
        if (total <= maxBytes) return done(null, chunk);
        fail(tooLarge(maxBytes));
        source.destroy();
        done();
      },
    });
    writes.push(pipeline(stream, count, createWriteStream(path.join(folder, name))).catch(() => {}));
  });
  parser.on("filesLimit", () => fail(new UploadError(`Not imported: more than ${MAX_UPLOAD_FILES} files in one upload.`, 400)));

  try {
    await pipeline(source, parser);
  } catch {
    fail(new UploadError("The upload is not a readable multipart form.", 400));
  }
  await Promise.all(writes);
  if (failure) throw failure;
  if (names.length === 0) throw new UploadError("No files were uploaded.", 400);
  return names;
}

function tooLarge(maxBytes: number): UploadError {
  return new UploadError(`Not imported: the upload is larger than ${formatBytes(maxBytes)} (MAX_UPLOAD_BYTES). Split it: a claims refresh can be imported on its own.`, 413);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 === 0 ? 0 : 1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  return `${bytes} bytes`;
}
