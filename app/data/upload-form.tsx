"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

type Result = {
  ok: boolean;
  batchId?: number;
  files?: { file: string; rows: number; new: number; changed: number; unchanged: number }[];
  problems: string[];
  problemCount: number;
  warnings?: string[];
};

/** Upload the CSV files of one import, with progress, then every rejected row or the counts. */
export function UploadForm() {
  const router = useRouter();
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = (form: HTMLFormElement) => {
    setResult(null);
    setError(null);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/imports");
    request.upload.onprogress = (e) => e.lengthComputable && setProgress(e.loaded / e.total);
    request.onload = () => {
      setProgress(null);
      try {
        setResult(JSON.parse(request.responseText) as Result);
        router.refresh();
      } catch {
        setError(request.responseText || `The server answered ${request.status}.`);
      }
    };
    request.onerror = () => {
      setProgress(null);
      setError("The upload failed: the server could not be reached.");
    };
    request.send(new FormData(form));
  };

  return (
    <form
      className="upload"
      data-testid="upload-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit(e.currentTarget);
      }}
    >
      <label>
        Files of one import (plans.csv, members.csv, coverage.csv, orders.csv, claim_lines.csv — any of them)
        <input type="file" name="files" accept=".csv,text/csv" multiple required data-testid="upload-files" />
      </label>
      <button type="submit" disabled={progress !== null}>
        Import
      </button>
      {progress !== null ? (
        <p role="status">
          <progress value={progress} max={1} /> {progress < 1 ? `Uploading ${(progress * 100).toFixed(0)}%` : "Checking and loading…"}
        </p>
      ) : null}
      {error ? <p className="notice" role="alert">{error}</p> : null}
      {result ? (
        <div role="status" data-testid="upload-result">
          {result.ok ? (
            <p>
              Imported (import #{result.batchId}):{" "}
              {result.files?.map((f) => `${f.file} ${f.new} new, ${f.changed} changed, ${f.unchanged} unchanged`).join("; ")}
            </p>
          ) : (
            <>
              <p className="notice">
                Rejected: {result.problemCount} problem{result.problemCount === 1 ? "" : "s"}. Nothing was written.
              </p>
              <ul className="problems" data-testid="upload-problems">
                {result.problems.map((p) => (
                  <li key={p}>
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.warnings?.length ? <p className="chart-note">Warnings: {result.warnings.join("; ")}</p> : null}
        </div>
      ) : null}
    </form>
  );
}
