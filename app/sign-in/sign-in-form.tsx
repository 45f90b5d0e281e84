"use client";

import { useActionState } from "react";
import { signIn, type SignInState } from "./actions";

/** The email and password form. Works without JavaScript (a server action); with it, the
 *  error appears in place and the button says it is busy. */
export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, { error: null, email: "" });
  return (
    <form action={action} className="sign-in-form" aria-describedby={state.error ? "sign-in-error" : undefined} data-testid="sign-in-form">
      <input type="hidden" name="next" value={next} />
      {state.error ? (
        <p id="sign-in-error" className="form-error" role="alert" data-testid="sign-in-error">
          {state.error}
        </p>
      ) : null}
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} aria-invalid={state.error ? true : undefined} />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={state.error ? true : undefined} />
      <button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
