import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useRef } from "react";
import { useForm } from "react-hook-form";
import { api, session, unwrap } from "../api/client.ts";
import { isApiError } from "../api/errors.ts";
import { Link, navigate } from "../app/router.tsx";
import { Button } from "../ui/Button.tsx";
import { TextField } from "../ui/Field.tsx";
import { FormError, useWaiting } from "../ui/FormError.tsx";
import { applyServerErrors, needsFormError } from "../ui/formErrors.ts";
import { PageHeading } from "../ui/PageHeading.tsx";
import { AuthCard } from "./AuthCard.tsx";
import { type SignupValues, signupSchema } from "./forms.ts";
import { type TurnstileHandle, TurnstileWidget } from "./TurnstileWidget.tsx";

const fields = ["displayName", "email", "password", "turnstileToken"] as const;

export function SignupPage() {
  const form = useForm<SignupValues>({
    resolver: zodResolver(signupSchema),
    defaultValues: { displayName: "", email: "", password: "", confirmPassword: "", turnstileToken: "" },
  });
  const turnstile = useRef<TurnstileHandle>(null);
  const register = useMutation({
    mutationFn: ({ displayName, email, password, turnstileToken }: SignupValues) =>
      unwrap(api.POST("/api/v1/auth/register", { body: { displayName, email, password, turnstileToken } })),
    onSuccess: (data) => {
      session.signIn(data);
      navigate("/", { replace: true });
    },
    onError: (err) => {
      // Siteverify spends a token on every attempt: the next one needs a fresh challenge.
      turnstile.current?.reset();
      if (isApiError(err, "conflict")) {
        form.setError("email", { type: "server", message: "An account with this email already exists. Log in instead?" }, { shouldFocus: true });
        return;
      }
      applyServerErrors(err, form.setError, fields);
    },
  });
  const waiting = useWaiting(register.error);
  const handled = isApiError(register.error, "conflict") || !needsFormError(register.error, fields);
  const { errors } = form.formState;

  return (
    <AuthCard>
      <PageHeading title="Create your account">Create your account</PageHeading>
      <p className="mt-2 text-sm text-slate-700">Take a questionnaire, see your scores at once, and talk them through with an AI coach.</p>
      <form className="mt-6 space-y-4" noValidate onSubmit={form.handleSubmit((values) => register.mutate(values))}>
        <TextField label="Your name" autoComplete="name" error={errors.displayName?.message} {...form.register("displayName")} />
        <TextField label="Email" type="email" autoComplete="email" inputMode="email" error={errors.email?.message} {...form.register("email")} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="8 to 128 characters. Very common passwords are refused."
          error={errors.password?.message}
          {...form.register("password")}
        />
        <TextField
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          error={errors.confirmPassword?.message}
          {...form.register("confirmPassword")}
        />
        <TurnstileWidget
          ref={turnstile}
          error={errors.turnstileToken?.message}
          onToken={(token) => form.setValue("turnstileToken", token, { shouldValidate: form.formState.isSubmitted })}
        />
        {!handled && <FormError error={register.error} />}
        <Button type="submit" className="w-full" busy={register.isPending} disabled={waiting}>
          Create account
        </Button>
      </form>
      <p className="mt-6 text-sm text-slate-700">
        Already have an account?{" "}
        <Link to="/login" className="font-semibold text-brand-700 underline underline-offset-2">
          Log in
        </Link>
      </p>
    </AuthCard>
  );
}
