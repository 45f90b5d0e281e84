"use client";

import { useActionState, type ReactNode } from "react";
import type { FormState } from "../_lib/user-admin";

/** A form whose action may answer with a message and a secret shown once (a new API token or
 *  password): the secret in a read-only field, selected for copying. */
export function SecretForm({
  action,
  children,
  submit,
  testId,
}: {
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  children: ReactNode;
  submit: string;
  testId: string;
}) {
  const [state, run, pending] = useActionState(action, { ok: true, message: null });
  return (
    <form action={run} className="inline-form" data-testid={testId}>
      {children}
      <button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? "Working…" : submit}
      </button>
      {state.message ? (
        <p className={state.ok ? "form-success" : "form-error"} role={state.ok ? "status" : "alert"} data-testid={`${testId}-message`}>
          {state.message}
        </p>
      ) : null}
      {state.secret ? (
        <p>
          <label>
            Shown once:{" "}
            <input className="secret" readOnly value={state.secret} onFocus={(e) => e.currentTarget.select()} data-testid={`${testId}-secret`} size={state.secret.length} />
          </label>
        </p>
      ) : null}
    </form>
  );
}
